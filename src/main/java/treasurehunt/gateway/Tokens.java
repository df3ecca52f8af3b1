package treasurehunt.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;
import treasurehunt.game.Text;

/**
 * Player tokens: HMAC-SHA256 signed JWTs whose subject is the player id and whose {@code name}
 * claim is the display name. Anything holding the secret can mint them, so an external identity
 * service can replace {@code POST /api/players}: it must set {@code iss} to {@value #ISSUER} and an
 * {@code exp}. A token without an expiry or from another issuer (another service that happens to
 * share the secret) is refused: a leaked token must stop working some day.
 */
public final class Tokens {

  public record Identity(String playerId, String name) {}

  /** The {@code iss} claim of every player token. */
  public static final String ISSUER = "treasure-hunt";

  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Duration ttl;

  public Tokens(byte[] secret, Duration ttl) {
    try {
      this.signer = new MACSigner(secret);
      this.verifier = new MACVerifier(secret);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("token secret: " + e.getMessage(), e);
    }
    this.ttl = ttl;
  }

  public String mint(String playerId, String name) {
    long now = System.currentTimeMillis();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject(playerId)
            .claim("name", name)
            .issueTime(new Date(now))
            .expirationTime(new Date(now + ttl.toMillis()))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  /**
   * The player a token names, if it is well formed, signed with our secret (HS256 only: {@code alg:
   * none} and other algorithms are refused), issued by us and not expired. The {@code name} claim
   * is cleaned and cut to 64 code points ({@link Text#fitName}); nothing left: the player id.
   */
  public Optional<Identity> verify(String token) {
    if (token == null || token.isEmpty() || token.length() > 4096) return Optional.empty();
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier))
        return Optional.empty();
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Date exp = claims.getExpirationTime();
      if (exp == null || exp.getTime() < System.currentTimeMillis()) return Optional.empty();
      if (!ISSUER.equals(claims.getIssuer())) return Optional.empty();
      String sub = claims.getSubject();
      if (sub == null || !Ids.valid(sub)) return Optional.empty();
      String name = claims.getStringClaim("name");
      return Optional.of(new Identity(sub, Text.fitName(name, sub)));
    } catch (ParseException | JOSEException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
