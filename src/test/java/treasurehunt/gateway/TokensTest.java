package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.Test;

/** Tokens a lying client could forge or replay are refused; only ours, unexpired, pass. */
class TokensTest {
  static final byte[] SECRET =
      "test-token-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
  final Tokens tokens = new Tokens(SECRET, Duration.ofHours(1));

  static String signed(byte[] secret, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(secret));
    return jwt.serialize();
  }

  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(Tokens.ISSUER)
        .subject("p-alice")
        .claim("name", "alice")
        .expirationTime(new Date(System.currentTimeMillis() + 60_000));
  }

  @Test
  void ourTokenIsAccepted() throws Exception {
    assertEquals(
        "p-alice", tokens.verify(tokens.mint("p-alice", "alice")).orElseThrow().playerId());
    assertTrue(tokens.verify(signed(SECRET, claims().build())).isPresent());
  }

  @Test
  void forgedExpiredForeignAndUnsignedTokensAreRefused() throws Exception {
    byte[] other = "another-secret-of-at-least-32-bytes-long".getBytes(StandardCharsets.UTF_8);
    assertTrue(tokens.verify(signed(other, claims().build())).isEmpty(), "foreign secret");
    assertTrue(
        tokens.verify(signed(SECRET, claims().expirationTime(null).build())).isEmpty(), "no exp");
    assertTrue(
        tokens
            .verify(
                signed(
                    SECRET,
                    claims().expirationTime(new Date(System.currentTimeMillis() - 1)).build()))
            .isEmpty(),
        "expired");
    assertTrue(
        tokens.verify(signed(SECRET, claims().issuer("someone-else").build())).isEmpty(),
        "other issuer");
    assertTrue(tokens.verify(signed(SECRET, claims().issuer(null).build())).isEmpty(), "no issuer");
    assertTrue(tokens.verify(new PlainJWT(claims().build()).serialize()).isEmpty(), "alg: none");
    assertTrue(
        tokens.verify(signed(SECRET, claims().subject("../../etc").build())).isEmpty(),
        "odd player id");
    assertTrue(tokens.verify("x".repeat(5000)).isEmpty(), "oversized");
  }

  // ---------------------------------------------------------------- the two kinds

  static JWTClaimsSet.Builder spectatorClaims() {
    return new JWTClaimsSet.Builder()
        .issuer(Tokens.ISSUER)
        .subject("s-screen")
        .claim(Tokens.SCOPE, Tokens.SPECTATOR)
        .claim(Tokens.HUNT, "old-town")
        .claim("name", "big screen")
        .expirationTime(new Date(System.currentTimeMillis() + 60_000));
  }

  @Test
  void aSpectatorTokenNamesItsHuntLabelAndExpiry() {
    Tokens.SpectatorToken minted =
        tokens.mintSpectator("old-town", "big screen", Duration.ofMinutes(10));
    Tokens.Spectator s = tokens.verifySpectator(minted.token()).orElseThrow();
    assertEquals(minted.spectator(), s);
    assertTrue(s.spectatorId().startsWith("s-") && Ids.valid(s.spectatorId()), s.spectatorId());
    assertEquals("old-town", s.hunt());
    assertEquals("big screen", s.label());
    long expected = System.currentTimeMillis() + 600_000;
    assertTrue(Math.abs(s.expiresAt() - expected) < 5_000, "expires in 10 minutes: " + s);
    // a JWT's exp has second precision: what the holder is told is what the token says
    assertEquals(0, s.expiresAt() % 1000);
  }

  @Test
  void neitherKindPassesForTheOther() throws Exception {
    String spectator = tokens.mintSpectator("old-town", "screen", Duration.ofMinutes(10)).token();
    String player = tokens.mint("p-alice", "alice");
    assertTrue(tokens.verify(spectator).isEmpty(), "a spectator token is no player token");
    assertTrue(tokens.verifySpectator(player).isEmpty(), "a player token is no spectator token");
    // Player tokens from before the scope claim, or minted by an identity service, have none.
    assertTrue(tokens.verify(signed(SECRET, claims().build())).isPresent(), "no scope: a player");
    assertTrue(tokens.verifySpectator(signed(SECRET, claims().build())).isEmpty());
    assertTrue(
        tokens
            .verify(signed(SECRET, claims().claim(Tokens.SCOPE, Tokens.PLAYER).build()))
            .isPresent());
    for (String scope : new String[] {"organiser", "admin", "spectator", ""})
      assertTrue(
          tokens.verify(signed(SECRET, claims().claim(Tokens.SCOPE, scope).build())).isEmpty(),
          "scope " + scope + " is not a player's");
    // A player token with a hunt claim added is still only a player token.
    assertTrue(
        tokens
            .verifySpectator(signed(SECRET, claims().claim(Tokens.HUNT, "old-town").build()))
            .isEmpty());
  }

  @Test
  void forgedExpiredAndIncompleteSpectatorTokensAreRefused() throws Exception {
    byte[] other = "another-secret-of-at-least-32-bytes-long".getBytes(StandardCharsets.UTF_8);
    assertTrue(tokens.verifySpectator(signed(SECRET, spectatorClaims().build())).isPresent());
    assertTrue(
        tokens.verifySpectator(signed(other, spectatorClaims().build())).isEmpty(), "foreign");
    assertTrue(
        tokens.verifySpectator(new PlainJWT(spectatorClaims().build()).serialize()).isEmpty(),
        "alg: none");
    assertTrue(
        tokens
            .verifySpectator(
                signed(
                    SECRET,
                    spectatorClaims()
                        .expirationTime(new Date(System.currentTimeMillis() - 1))
                        .build()))
            .isEmpty(),
        "expired");
    assertTrue(
        tokens
            .verifySpectator(signed(SECRET, spectatorClaims().expirationTime(null).build()))
            .isEmpty(),
        "no exp");
    assertTrue(
        tokens
            .verifySpectator(signed(SECRET, spectatorClaims().issuer("elsewhere").build()))
            .isEmpty(),
        "other issuer");
    assertTrue(
        tokens
            .verifySpectator(signed(SECRET, spectatorClaims().claim(Tokens.HUNT, null).build()))
            .isEmpty(),
        "no hunt");
    assertTrue(
        tokens
            .verifySpectator(signed(SECRET, spectatorClaims().claim(Tokens.HUNT, "../x").build()))
            .isEmpty(),
        "odd hunt id");
    assertTrue(
        tokens
            .verifySpectator(signed(SECRET, spectatorClaims().claim(Tokens.HUNT, 7).build()))
            .isEmpty(),
        "hunt not a string");
    assertTrue(
        tokens.verifySpectator(signed(SECRET, spectatorClaims().subject(null).build())).isEmpty(),
        "no subject");
    String valid = signed(SECRET, spectatorClaims().build());
    String[] parts = valid.split("\\.");
    String otherHunt =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                    .replace("old-town", "new-town")
                    .getBytes(StandardCharsets.UTF_8));
    assertTrue(
        tokens.verifySpectator(parts[0] + "." + otherHunt + "." + parts[2]).isEmpty(),
        "hunt edited after signing");
  }
}
