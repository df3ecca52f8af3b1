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
}
