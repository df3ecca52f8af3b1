package treasurehunt.entities;

import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads snapshots of a hunt stored before {@link HuntState} had its own file (issue 10), when it
 * was the nested class {@code Hunt.State}. Akka's Jackson serializer stores the class name as the
 * manifest, so those snapshots carry {@code treasurehunt.entities.Hunt$State}; registered under
 * that name in serialization.conf ({@code akka.serialization.jackson.migrations}), this migration
 * names the class that reads them now. Their bytes are unchanged: the fields are the same, so the
 * JSON tree passes through as it is.
 *
 * <p>Why a migration rather than skipping them: snapshot-is-optional would silently replay every
 * event of every hunt whose latest snapshot is older than the move, and hide a real break of the
 * format behind the same fallback. SnapshotCompatibilityTest reads the golden snapshot written
 * before the move through this path.
 *
 * <p>Version 2 only makes the serializer consult {@link #transformClassName} for the old manifest
 * (which has no version, i.e. 1). New snapshots are stored as {@code
 * treasurehunt.entities.HuntState} without a version: this migration is keyed by the old name only.
 * A node of an older release cannot read those (it skips them and replays the events), which
 * matters only while a rolling update runs old and new nodes side by side.
 */
public final class HuntStateMigration extends JacksonMigration {
  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    return HuntState.class.getName();
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }
}
