package treasurehunt.gateway;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The gateway's settings (http.conf; the registration limit and whether X-Forwarded-For names the
 * client are in limits.conf), read once.
 */
public record GatewaySettings(
    String httpInterface,
    int httpPort,
    Duration askTimeout,
    int maxBodyBytes,
    boolean openRegistration,
    Duration tokenTtl,
    int registrationsPerMinute,
    boolean trustForwardedFor) {

  public static GatewaySettings from(Config config) {
    Config http = config.getConfig("treasure-hunt.http");
    return new GatewaySettings(
        http.getString("interface"),
        http.getInt("port"),
        http.getDuration("ask-timeout"),
        (int) http.getBytes("max-body-bytes").longValue(),
        http.getBoolean("open-registration"),
        http.getDuration("token-ttl"),
        config.getInt("treasure-hunt.limits.registrations-per-minute"),
        config.getBoolean("treasure-hunt.limits.trust-forwarded-for"));
  }
}
