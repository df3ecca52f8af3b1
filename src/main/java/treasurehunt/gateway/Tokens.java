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
 * The two kinds of bearer token, both HMAC-SHA256 signed JWTs with {@code iss} {@value #ISSUER} and
 * an {@code exp} (a token without an expiry or from another issuer — another service that happens
 * to share the secret — is refused: a leaked token must stop working some day).
 *
 * <ul>
 *   <li>A <b>player token</b> names a player: subject the player id, {@code name} the display name,
 *       {@code scope} {@value #PLAYER} (or no {@code scope}: tokens minted before there were two
 *       kinds, and by identity services that replace {@code POST /api/players}).
 *   <li>A <b>spectator token</b> is an organiser's invitation to watch one hunt, positions included
 *       (docs/privacy.md): {@code scope} {@value #SPECTATOR}, subject a spectator id ({@code s-…}),
 *       {@code hunt} the hunt, {@code name} the organiser's label.
 * </ul>
 *
 * Neither passes for the other: {@link #verify} refuses any {@code scope} but player's, {@link
 * #verifySpectator} anything without the spectator scope and a hunt.
 */
public final class Tokens {

  /** What a player token grants: playing as this player. */
  public record Identity(String playerId, String name) {}

  /** What a spectator token grants: watching {@code hunt}, positions included, until then. */
  public record Spectator(String spectatorId, String hunt, String label, long expiresAt) {}

  /** A freshly minted spectator token with what it grants. */
  public record SpectatorToken(String token, Spectator spectator) {}

  /** The {@code iss} claim of every token. */
  public static final String ISSUER = "treasure-hunt";

  /** The claim that tells the kinds apart. */
  public static final String SCOPE = "scope";

  public static final String PLAYER = "player";
  public static final String SPECTATOR = "spectator";

  /** The claim naming a spectator token's hunt. */
  public static final String HUNT = "hunt";

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

  /** A player token, valid for the configured TTL. */
  public String mint(String playerId, String name) {
    long now = System.currentTimeMillis();
    return sign(
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject(playerId)
            .claim(SCOPE, PLAYER)
            .claim("name", name)
            .issueTime(new Date(now))
            .expirationTime(new Date(now + ttl.toMillis()))
            .build());
  }

  /** A spectator token for {@code hunt} under a new spectator id, valid for {@code validFor}. */
  public SpectatorToken mintSpectator(String hunt, String label, Duration validFor) {
    long now = System.currentTimeMillis();
    // exp is in whole seconds on the wire: the expiry told to the organiser is the token's own
    long expiresAt = (now + validFor.toMillis()) / 1000 * 1000;
    Spectator s = new Spectator(Ids.random("s"), hunt, label, expiresAt);
    String token =
        sign(
            new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(s.spectatorId())
                .claim(SCOPE, SPECTATOR)
                .claim(HUNT, hunt)
                .claim("name", label)
                .issueTime(new Date(now))
                .expirationTime(new Date(s.expiresAt()))
                .build());
    return new SpectatorToken(token, s);
  }

  /**
   * The player a token names, if it is a player token that is well formed, signed with our secret
   * (HS256 only: {@code alg: none} and other algorithms are refused), issued by us and not expired.
   */
  public Optional<Identity> verify(String token) {
    try {
      JWTClaimsSet claims = claims(token);
      if (claims == null) return Optional.empty();
      String scope = claims.getStringClaim(SCOPE);
      if (scope != null && !PLAYER.equals(scope)) return Optional.empty();
      String name = claims.getStringClaim("name");
      String sub = claims.getSubject();
      return Optional.of(new Identity(sub, Text.fitName(name, sub)));
    } catch (ParseException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The invitation a token carries, if it is a valid spectator token (as {@link #verify}). */
  public Optional<Spectator> verifySpectator(String token) {
    try {
      JWTClaimsSet claims = claims(token);
      if (claims == null || !SPECTATOR.equals(claims.getStringClaim(SCOPE)))
        return Optional.empty();
      String hunt = claims.getStringClaim(HUNT);
      if (!Ids.valid(hunt)) return Optional.empty();
      String label = claims.getStringClaim("name");
      String sub = claims.getSubject();
      return Optional.of(
          new Spectator(
              sub,
              hunt,
              label == null || label.isBlank() ? sub : label,
              claims.getExpirationTime().getTime()));
    } catch (ParseException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The claims of a token of ours, signed, unexpired, with a valid subject; else null. */
  private JWTClaimsSet claims(String token) {
    if (token == null || token.isEmpty() || token.length() > 4096) return null;
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier))
        return null;
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Date exp = claims.getExpirationTime();
      if (exp == null || exp.getTime() < System.currentTimeMillis()) return null;
      if (!ISSUER.equals(claims.getIssuer())) return null;
      if (!Ids.valid(claims.getSubject())) return null;
      return claims;
    } catch (ParseException | JOSEException | RuntimeException e) {
      return null;
    }
  }

  private String sign(JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }
}
