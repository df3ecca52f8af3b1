package treasurehunt.gateway;

import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import com.typesafe.config.Config;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The browser pages served by every node on its HTTP port (issue 12): {@code /} (an index), {@code
 * /play} (the player's page), {@code /watch/{hunt}} (the spectator's) and {@code /console} (the
 * organiser's), their ES modules and styles under {@code /static/}, Leaflet under {@code
 * /vendor/leaflet/} (from the {@code org.webjars.npm:leaflet} jar) and {@code /ui-config.json} (the
 * map tile settings). Everything comes from the classpath ({@code web/}): {@code java -jar} and the
 * pages are there.
 *
 * <p>Every answer carries a Content-Security-Policy that allows this origin only ({@code
 * default-src 'self'}; the tile host is added to {@code img-src} only when {@code TH_MAP_TILES} is
 * set), so no inline script runs and no request leaves for another host; {@code
 * X-Content-Type-Options: nosniff}; {@code Referrer-Policy: no-referrer} (a spectator link's token
 * never leaks in a Referer, and the pages put it in the URL fragment, which is never sent to any
 * server); {@code X-Frame-Options: DENY} with {@code frame-ancestors 'none'} (no clickjacking of
 * the console); and {@code Cache-Control: no-cache} so that a node upgraded in place serves its new
 * modules at once.
 */
public final class WebPages extends AllDirectives {

  /** The map settings (treasure-hunt.web in http.conf). */
  public record Settings(String mapTiles, String mapAttribution) {
    public static Settings from(Config config) {
      Config web = config.getConfig("treasure-hunt.web");
      return new Settings(web.getString("map-tiles"), web.getString("map-attribution"));
    }

    /** The scheme and host of the tile URL template ({@code https://tile.example.org}), or null. */
    String tileOrigin() {
      if (mapTiles.isBlank()) return null;
      try {
        URI uri = URI.create(mapTiles.replaceAll("\\{[a-z]+}", "x"));
        if (uri.getScheme() == null || uri.getHost() == null) return null;
        return uri.getScheme() + "://" + uri.getRawAuthority();
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  private static final String LEAFLET = "META-INF/resources/webjars/leaflet/1.9.4/dist";

  private final Settings settings;
  private final List<HttpHeader> headers;

  public WebPages(Settings settings) {
    this.settings = settings;
    this.headers = headers(settings);
  }

  /** The security headers of every page and file (public for the tests' reading of them). */
  static List<HttpHeader> headers(Settings settings) {
    String origin = settings.tileOrigin();
    String csp =
        "default-src 'self'; img-src 'self' data:"
            + (origin == null ? "" : " " + origin)
            + "; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none';"
            + " base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    return List.of(
        RawHeader.create("Content-Security-Policy", csp),
        RawHeader.create("X-Content-Type-Options", "nosniff"),
        RawHeader.create("Referrer-Policy", "no-referrer"),
        RawHeader.create("X-Frame-Options", "DENY"),
        RawHeader.create("Cache-Control", "no-cache"));
  }

  /**
   * The pages and files, GET only. Paths are matched before the method, so a POST to a path that is
   * not here is still the API's 404, not a 405.
   */
  public Route route() {
    return respondWithHeaders(
        headers,
        () ->
            concat(
                pathSingleSlash(() -> get(() -> page("index.html"))),
                path("play", () -> get(() -> page("play.html"))),
                path("console", () -> get(() -> page("console.html"))),
                pathPrefix(
                    "watch",
                    () ->
                        concat(
                            pathEndOrSingleSlash(() -> get(() -> page("watch.html"))),
                            path(PathMatchers.segment(), hunt -> get(() -> page("watch.html"))))),
                path("ui-config.json", () -> get(this::uiConfig)),
                pathPrefix("static", () -> get(() -> getFromResourceDirectory("web"))),
                pathPrefix("vendor", () -> pathPrefix("leaflet", () -> get(this::leaflet)))));
  }

  private Route page(String file) {
    return getFromResource("web/" + file);
  }

  /** Leaflet's module, stylesheet and images; never its source maps (nothing asks for them). */
  private Route leaflet() {
    return concat(
        path("leaflet-src.esm.js", () -> getFromResource(LEAFLET + "/leaflet-src.esm.js")),
        path("leaflet.css", () -> getFromResource(LEAFLET + "/leaflet.css")),
        pathPrefix("images", () -> getFromResourceDirectory(LEAFLET + "/images")));
  }

  private Route uiConfig() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("mapTiles", settings.mapTiles().isBlank() ? null : settings.mapTiles());
    out.put("mapAttribution", settings.mapAttribution());
    return complete(StatusCodes.OK, out, Jackson.marshaller(Json.MAPPER));
  }
}
