package treasurehunt.gateway;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.handleExceptions;
import static akka.http.javadsl.server.Directives.handleRejections;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.http.scaladsl.model.IllegalRequestException;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import treasurehunt.entities.Problem;

/**
 * How the HTTP API answers what goes wrong: every failure is {@code {"error": {"code", "message"}}}
 * with the matching status, whether a route threw an {@link ApiError}, an entity answered a {@link
 * Problem}, an ask timed out or Akka HTTP rejected the request itself.
 */
final class ApiErrors {
  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  private ApiErrors() {}

  /** Thrown inside a route to answer with an error body. */
  static final class ApiError extends RuntimeException {
    final StatusCode status;
    final String code;

    ApiError(StatusCode status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  /** {@code inner}, with its exceptions and rejections answered by an error body. */
  static Route handled(Supplier<Route> inner) {
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), inner));
  }

  static void failOn(Problem problem) {
    if (problem != null)
      throw new ApiError(status(problem.code()), problem.code(), problem.message());
  }

  static <T> T failOn(Problem problem, T value) {
    failOn(problem);
    return value;
  }

  /** The HTTP status of an entity's problem code. */
  static StatusCode status(String code) {
    return switch (code) {
      case Problem.NOT_FOUND -> StatusCodes.NOT_FOUND;
      case Problem.CONFLICT, Problem.HUNT_NOT_LIVE, Problem.HUNT_FULL -> StatusCodes.CONFLICT;
      case Problem.UNAVAILABLE, Problem.OVERLOADED -> StatusCodes.SERVICE_UNAVAILABLE;
      default -> StatusCodes.BAD_REQUEST;
    };
  }

  static HttpResponse errorResponse(StatusCode status, String code, String message) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", message);
    byte[] body;
    try {
      body = Json.MAPPER.writeValueAsBytes(Map.of("error", error));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  private static ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(ApiError.class, e -> complete(errorResponse(e.status, e.code, e.getMessage())))
        .match(CompletionException.class, e -> complete(fromThrowable(e.getCause())))
        .matchAny(e -> complete(fromThrowable(e)))
        .build();
  }

  private static HttpResponse fromThrowable(Throwable e) {
    if (e instanceof ApiError a) return errorResponse(a.status, a.code, a.getMessage());
    if (e instanceof EntityStreamSizeException)
      return errorResponse(
          StatusCodes.PAYLOAD_TOO_LARGE, "too_large", "the body is larger than the limit");
    if (e instanceof IllegalRequestException ire) {
      // Akka HTTP's own verdict on the request (e.g. a body over the limit while made strict).
      int status = ire.status().intValue();
      String code =
          status == 413 || ire.getMessage().contains("too large")
              ? "too_large"
              : Problem.BAD_REQUEST;
      return errorResponse(
          status == 413 || code.equals("too_large")
              ? StatusCodes.PAYLOAD_TOO_LARGE
              : StatusCodes.BAD_REQUEST,
          code,
          ire.info().summary());
    }
    if (e instanceof TimeoutException)
      return errorResponse(
              StatusCodes.SERVICE_UNAVAILABLE,
              Problem.UNAVAILABLE,
              "the entity did not answer in time; retry")
          .addHeader(RetryAfter.create(1L));
    log.error("request failed", e);
    return errorResponse(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "internal error");
  }

  /** Akka HTTP's own rejections (unknown path, wrong method, size), wrapped in the error body. */
  static RejectionHandler rejections() {
    return RejectionHandler.defaultHandler()
        .mapRejectionResponse(
            response -> {
              int status = response.status().intValue();
              String code =
                  switch (status) {
                    case 404 -> Problem.NOT_FOUND;
                    case 401 -> "unauthorized";
                    case 403 -> "forbidden";
                    case 413 -> "too_large";
                    case 503 -> Problem.UNAVAILABLE;
                    default -> status >= 500 ? "internal" : Problem.BAD_REQUEST;
                  };
              String message =
                  response.entity() instanceof HttpEntity.Strict s
                      ? s.getData().utf8String()
                      : response.status().reason();
              return errorResponse(response.status(), code, message);
            });
  }
}
