package treasurehunt.game;

/**
 * Asks for {@code count} treasures scattered reproducibly (by {@code seed}) inside the hunt's area.
 */
public record Generate(int count, long seed, int points, double radiusM) {}
