package treasurehunt.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import java.io.IOException;
import java.util.List;

/**
 * The wire's JSON: strict on input (no string-to-number coercion, no floats into integers, no NaN,
 * nothing after the value), so a wrong-typed field is a clear {@code bad_request} instead of a
 * silent guess.
 */
public final class Json {
  private Json() {}

  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .addModule(new ParameterNamesModule())
          .addModule(new Jdk8Module())
          .addModule(
              new SimpleModule("strict-strings").addDeserializer(String.class, new StrictString()))
          .build();

  /**
   * Jackson 2.13 turns {@code 7} into {@code "7"} for a String field whatever the coercion settings
   * (its coercion config covers textual targets only from 2.14): a string field takes a JSON string
   * or null.
   */
  static final class StrictString extends StdScalarDeserializer<String> {
    StrictString() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.hasToken(JsonToken.VALUE_STRING)) return p.getText();
      return (String) ctxt.handleUnexpectedToken(String.class, p);
    }
  }

  /** A short message naming the field at fault, e.g. {@code area.lat: expected a number}. */
  public static String describe(JsonProcessingException e) {
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      StringBuilder path = new StringBuilder();
      for (JsonMappingException.Reference r : m.getPath()) {
        if (r.getFieldName() != null) {
          if (path.length() > 0) path.append('.');
          path.append(r.getFieldName());
        } else if (r.getIndex() >= 0) path.append('[').append(r.getIndex()).append(']');
      }
      String what =
          e instanceof MismatchedInputException mi && mi.getTargetType() != null
              ? "expected " + typeName(mi.getTargetType())
              : "invalid value";
      return path + ": " + what;
    }
    String msg = e.getOriginalMessage();
    return "malformed JSON: " + (msg.length() > 200 ? msg.substring(0, 200) : msg);
  }

  private static String typeName(Class<?> type) {
    if (type == Double.class || type == double.class) return "a number";
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class)
      return "an integer";
    if (type == Boolean.class || type == boolean.class) return "true or false";
    if (type == String.class) return "a string";
    if (List.class.isAssignableFrom(type)) return "an array";
    return "an object";
  }
}
