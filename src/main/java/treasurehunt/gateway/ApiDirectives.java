package treasurehunt.gateway;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import scala.concurrent.duration.FiniteDuration;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;
import treasurehunt.entities.Problem;
import treasurehunt.gateway.ApiErrors.ApiError;

/**
 * What every group of {@link HttpApi} routes does the same way: the organiser's admin token, a hunt
 * that must exist ({@link HuntDirectory}: a hunt never created is {@code 404} without its entity
 * ever being started), a JSON body of bounded size read with the strict mapper, a JSON answer, and
 * the entities by id.
 */
abstract class ApiDirectives extends AllDirectives {

  final GatewaySettings settings;
  private final ClusterSharding sharding;
  final HuntDirectory directory;
  private final byte[] adminToken;

  ApiDirectives(ActorSystem<?> system, GatewaySettings settings, String adminToken) {
    this.sharding = ClusterSharding.get(system);
    this.directory = HuntDirectory.get(system);
    this.settings = settings;
    this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
  }

  final EntityRef<Hunt.Command> hunt(String id) {
    return sharding.entityRefFor(Hunt.ENTITY_KEY, id);
  }

  final EntityRef<Player.Command> player(String id) {
    return sharding.entityRefFor(Player.ENTITY_KEY, id);
  }

  static void checkId(String id) {
    if (!Ids.valid(id))
      throw new ApiError(StatusCodes.NOT_FOUND, Problem.NOT_FOUND, "no hunt " + abbreviate(id));
  }

  /** {@code inner} for a hunt that exists; 404 (its entity untouched) for one never created. */
  final Route existing(String id, Supplier<Route> inner) {
    checkId(id);
    return onSuccess(
        directory.exists(id),
        exists -> {
          if (!exists)
            throw new ApiError(StatusCodes.NOT_FOUND, Problem.NOT_FOUND, "no hunt " + id);
          return inner.get();
        });
  }

  private static String abbreviate(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }

  /** {@code inner} for a request bearing the admin token (compared in constant time). */
  final Route admin(Supplier<Route> inner) {
    return optionalHeaderValueByName(
        "Authorization",
        header -> {
          String given =
              header
                  .filter(h -> h.startsWith("Bearer "))
                  .map(h -> h.substring(7).trim())
                  .orElse(null);
          if (given == null)
            throw new ApiError(
                StatusCodes.UNAUTHORIZED,
                "unauthorized",
                "organiser endpoints need Authorization: Bearer <admin token>");
          if (!MessageDigest.isEqual(adminToken, given.getBytes(StandardCharsets.UTF_8)))
            throw new ApiError(StatusCodes.UNAUTHORIZED, "unauthorized", "wrong admin token");
          return inner.get();
        });
  }

  /** Reads a JSON body of at most max-body-bytes into {@code type}. */
  final <T> Route body(Class<T> type, Function<T, Route> inner) {
    return optionalBody(type, null, inner);
  }

  /** As {@link #body}; an empty body is {@code absent} (null: a body is required). */
  final <T> Route optionalBody(Class<T> type, T absent, Function<T, Route> inner) {
    return withSizeLimit(
        settings.maxBodyBytes(),
        () ->
            extractStrictEntity(
                FiniteDuration.create(5, TimeUnit.SECONDS),
                settings.maxBodyBytes(),
                entity -> {
                  String text = entity.getData().utf8String();
                  if (text.isBlank() && absent != null) return inner.apply(absent);
                  if (text.isBlank())
                    throw new ApiError(
                        StatusCodes.BAD_REQUEST, Problem.BAD_REQUEST, "a JSON body is required");
                  T value;
                  try {
                    value = Json.MAPPER.readValue(text, type);
                  } catch (JsonProcessingException e) {
                    throw new ApiError(
                        StatusCodes.BAD_REQUEST, Problem.BAD_REQUEST, Json.describe(e));
                  }
                  if (value == null)
                    throw new ApiError(
                        StatusCodes.BAD_REQUEST,
                        Problem.BAD_REQUEST,
                        "the body must be a JSON object");
                  return inner.apply(value);
                }));
  }

  final Route json(StatusCode status, Object value) {
    return complete(status, value, Jackson.marshaller(Json.MAPPER));
  }
}
