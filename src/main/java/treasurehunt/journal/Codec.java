package treasurehunt.journal;

import akka.actor.ActorSystem;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import scala.concurrent.Await;
import scala.concurrent.duration.Duration;

/**
 * Decodes journal payloads with Akka's own Serialization extension, configured as the engine's (the
 * serialization bindings of serialization.conf, jackson-cbor), in a small local ActorSystem: the
 * bytes are read by the very code that wrote them. Also renders decoded events and states as JSON
 * with Akka's jackson-json object mapper.
 */
final class Codec implements AutoCloseable {
  private final ActorSystem system;
  private final Serialization serialization;
  private final ObjectMapper json;

  private Codec(ActorSystem system) {
    this.system = system;
    this.serialization = SerializationExtension.get(system);
    this.json =
        JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
  }

  /** A local (non-cluster) ActorSystem with the engine's configuration; nothing binds a port. */
  static Codec start(Config engine) {
    Config config =
        ConfigFactory.parseString(
                """
                akka.actor.provider = local
                akka.loglevel = WARNING
                akka.stdout-loglevel = OFF
                akka.log-dead-letters = off
                akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                akka.coordinated-shutdown.exit-jvm = off
                """)
            .withFallback(engine);
    return new Codec(ActorSystem.create("journal", config));
  }

  ObjectMapper json() {
    return json;
  }

  /** The object mapper of the engine's jackson-cbor serializer (the one events are stored with). */
  ObjectMapper cbor() {
    return JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", Optional.empty());
  }

  /**
   * The decoded payload; throws when the bytes cannot be read (unknown class, corrupt data, ...).
   */
  Object decode(int serId, String manifest, byte[] payload) {
    return serialization.deserialize(payload, serId, manifest).get();
  }

  Object decode(EventRow row) {
    return decode(row.serId(), row.serManifest(), row.payload());
  }

  Object decode(SnapshotRow row) {
    return decode(row.serId(), row.serManifest(), row.payload());
  }

  /** An object serialized as the engine would store it. */
  Encoded encode(Object o) {
    Serializer s = serialization.findSerializerFor(o);
    return new Encoded(
        s.identifier(), Serializers.manifestFor(s, o), serialization.serialize(o).get());
  }

  record Encoded(int serId, String manifest, byte[] payload) {}

  @Override
  public void close() throws Exception {
    system.terminate();
    Await.ready(system.whenTerminated(), Duration.create(10, TimeUnit.SECONDS));
  }
}
