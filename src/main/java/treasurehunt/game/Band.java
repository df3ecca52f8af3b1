package treasurehunt.game;

import java.util.Locale;

/** How close the nearest unfound treasure is, as told to the player (never the distance itself). */
public enum Band {
  HOT,
  WARM,
  COLD;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
