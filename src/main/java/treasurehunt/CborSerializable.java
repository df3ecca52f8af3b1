package treasurehunt;

/**
 * Marker for every message that crosses a node or enters the journal: commands, replies, events,
 * states and cluster messages. Bound to Akka's jackson-cbor serializer in serialization.conf, so
 * nothing falls back to Java serialization (which is switched off).
 *
 * <p>Event evolution: events are Java records serialized by field name. Adding an optional field is
 * compatible (missing fields read as null/0). Renaming or removing a field, or changing its
 * meaning, needs a {@code akka.serialization.jackson.JacksonMigration} registered under {@code
 * akka.serialization.jackson.migrations} for the event class; see docs/events.md.
 */
public interface CborSerializable {}
