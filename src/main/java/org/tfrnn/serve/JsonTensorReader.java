package org.tfrnn.serve;

import static org.tfrnn.inference.PredictionException.badRequest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Reads one tensor's value from a JSON stream: a scalar or nested lists of numbers, booleans and
 * strings (a JSON string, or {@code {"b64": "..."}} for bytes, as TensorFlow Serving writes them),
 * straight into flat arrays (no tree of boxed values), finding the shape as it goes and refusing
 * ragged lists with the path of the first list that does not fit.
 *
 * <p>A reader either takes one value ({@link #single}) or stacks several values of the same shape
 * along a new first dimension ({@link #stacked}), which is how the row format's
 * {@code "instances"} become one batched tensor. Call {@link #readElement} for each value, with
 * the parser on the value's first token, then {@link #finish}.
 */
final class JsonTensorReader {
  /** TensorFlow's own limit on the rank of a tensor. */
  static final int MAX_RANK = 254;

  private final String name;
  private final boolean stacked;
  // For a stack of objects' values: the key they have in each object, shown after the index.
  private final String key;
  // Lists open around the current token; level 0 is the outermost (the stack of a stacked reader).
  private int open;
  // counts[level]: elements seen so far in the list open at that level.
  private final int[] counts = new int[MAX_RANK + 1];
  // dims[level]: the size every list at that level must have, -1 until the first one closes.
  private final long[] dims = new long[MAX_RANK + 1];
  // The level values sit at (= the rank), -1 until the first value; deepest level a list reached.
  private int valueLevel = -1;
  private int deepestList;

  private int count;
  private double[] numbers = new double[256];
  private long[] integers;
  private byte[][] strings;
  private final JsonTensor.ValueKinds kinds = new JsonTensor.ValueKinds();

  private JsonTensorReader(String name, boolean stacked, String key) {
    this.name = name;
    this.stacked = stacked;
    this.key = key;
    Arrays.fill(dims, -1);
    if (stacked) {
      open = 1;
      deepestList = 1;
    }
  }

  /** A reader of one value; {@code name} says where it is in the request, for messages. */
  static JsonTensorReader single(String name) {
    return new JsonTensorReader(name, false, null);
  }

  /** A reader that stacks values of one shape into a tensor with one more (first) dimension. */
  static JsonTensorReader stacked(String name) {
    return new JsonTensorReader(name, true, null);
  }

  /**
   * A reader that stacks the values one key has in a list of objects; messages name them as
   * {@code 'instances'[3].x}.
   */
  static JsonTensorReader stackedByKey(String listName, String key) {
    return new JsonTensorReader(listName, true, key);
  }

  /** Reads one complete value; the parser must be on its first token and ends on its last. */
  void readElement(JsonParser parser) throws IOException {
    int startLevel = open;
    JsonToken token = parser.currentToken();
    while (true) {
      if (token == null) {
        throw badRequest("the request ends inside " + name);
      }
      switch (token) {
        case START_ARRAY -> openList();
        case END_ARRAY -> closeList();
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> value(parser, token);
        case VALUE_STRING -> string(parser.getText());
        case START_OBJECT -> base64Object(parser);
        default -> {
          countElement();
          throw badRequest(at(false) + (token == JsonToken.VALUE_NULL
              ? ": null is not a tensor value" : ": unexpected JSON " + token));
        }
      }
      if (open == startLevel) {
        return;
      }
      token = parser.nextToken();
    }
  }

  /** The tensor read; closes the stack of a stacked reader. */
  JsonTensor finish() {
    if (stacked) {
      closeList();
    }
    if (valueLevel < 0) {
      // Only empty lists: the rank is the depth they reached, e.g. [[], []] is [2, 0].
      valueLevel = deepestList;
    }
    long[] shape = Arrays.copyOf(dims, valueLevel);
    String tensorName = key == null ? name : name + "[*]." + key;
    return new JsonTensor(tensorName, shape, count, numbers, integers, strings, kinds);
  }

  private void countElement() {
    if (open > 0) {
      counts[open - 1]++;
    }
  }

  private void openList() {
    countElement();
    if (valueLevel >= 0 && open >= valueLevel) {
      throw badRequest(at(false) + ": a list where a number is expected (earlier values are at "
          + "depth " + valueLevel + "); nested lists must be regular, not ragged");
    }
    if (open == MAX_RANK) {
      throw badRequest(at(false) + ": lists nested deeper than " + MAX_RANK + " levels");
    }
    counts[open] = 0;
    open++;
    deepestList = Math.max(deepestList, open);
  }

  private void closeList() {
    int level = open - 1;
    int size = counts[level];
    if (dims[level] < 0) {
      dims[level] = size;
    } else if (dims[level] != size) {
      throw badRequest(at(true) + " is ragged: this list has " + size + " element"
          + (size == 1 ? "" : "s") + " where the lists before it at the same depth have "
          + dims[level]);
    }
    open--;
  }

  private void value(JsonParser parser, JsonToken token) throws IOException {
    place();
    switch (token) {
      case VALUE_NUMBER_INT -> integer(parser);
      case VALUE_NUMBER_FLOAT -> decimal(parser);
      default -> {
        boolean b = token == JsonToken.VALUE_TRUE;
        if (kinds.firstBoolean == null) {
          kinds.firstBoolean = at(false) + ": " + b;
        }
        numbers[count] = b ? 1 : 0;
      }
    }
    count++;
  }

  /**
   * A string element written as {@code {"b64": "..."}}: the parser is on the object's start. As
   * TensorFlow Serving, any other object is refused, whatever the input's dtype.
   */
  private void base64Object(JsonParser parser) throws IOException {
    String encoded = null;
    if (parser.nextToken() == JsonToken.FIELD_NAME && "b64".equals(parser.currentName())
        && parser.nextToken() == JsonToken.VALUE_STRING) {
      encoded = parser.getText();
      if (parser.nextToken() != JsonToken.END_OBJECT) {
        encoded = null;
      }
    }
    if (encoded == null) {
      countElement();
      throw badRequest(at(false) + ": an object that is not formatted correctly for base64 data; "
          + "the only object a tensor value may be is {\"b64\": \"<base64 encoded bytes>\"}");
    }
    base64(encoded);
  }

  /** A string element whose bytes are written in base64 (the value of a {@code "b64"} key). */
  void base64(String encoded) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      countElement();
      throw badRequest(at(false) + ": Unable to base64 decode \"" + abbreviate(encoded) + "\" ("
          + e.getMessage() + ")");
    }
    string(bytes, "{\"b64\": \"" + abbreviate(encoded) + "\"}");
  }

  /** A string element whose text was already read (UTF-8, as TensorFlow Serving keeps it). */
  void string(String text) {
    string(text.getBytes(StandardCharsets.UTF_8), "\"" + abbreviate(text) + "\"");
  }

  /** Stores a string element; {@code asWritten} shows it in messages. */
  private void string(byte[] bytes, String asWritten) {
    place();
    if (strings == null) {
      strings = new byte[numbers.length][];
    }
    strings[count] = bytes;
    if (kinds.firstString == null) {
      kinds.firstString = at(false) + ": " + asWritten;
    }
    count++;
  }

  /** Counts a new element at the current level, checks the level is the values', makes room. */
  private void place() {
    countElement();
    if (valueLevel < 0) {
      if (deepestList > open) {
        throw badRequest(at(false) + ": a number where a list is expected; nested lists must "
            + "be regular, not ragged");
      }
      valueLevel = open;
    } else if (open != valueLevel) {
      throw badRequest(at(false) + ": a number where a list is expected (earlier values are at "
          + "depth " + valueLevel + "); nested lists must be regular, not ragged");
    }
    if (count == numbers.length) {
      numbers = Arrays.copyOf(numbers, count * 2);
      if (integers != null) {
        integers = Arrays.copyOf(integers, count * 2);
      }
      if (strings != null) {
        strings = Arrays.copyOf(strings, count * 2);
      }
    }
  }

  private void integer(JsonParser parser) throws IOException {
    if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      // Beyond int64: a number for floats (as RapidJSON reads it in TensorFlow Serving), never an
      // integer.
      if (kinds.firstOutsideInt64 == null) {
        kinds.firstOutsideInt64 = at(false) + ": " + abbreviate(parser.getText());
      }
      decimal(parser);
      return;
    }
    long v = parser.getLongValue();
    if (integers == null) {
      integers = new long[numbers.length];
    }
    integers[count] = v;
    numbers[count] = v;
    kinds.smallestInteger = Math.min(kinds.smallestInteger, v);
    kinds.largestInteger = Math.max(kinds.largestInteger, v);
    if (kinds.firstNumber == null) {
      kinds.firstNumber = at(false) + ": " + v;
    }
  }

  private void decimal(JsonParser parser) throws IOException {
    double v = parser.getDoubleValue();
    requireDouble(parser, v, at(false));
    numbers[count] = v;
    if (kinds.firstDecimal == null) {
      kinds.firstDecimal = at(false) + ": " + parser.getText();
    }
    if (kinds.firstNumber == null) {
      kinds.firstNumber = kinds.firstDecimal;
    }
  }

  /**
   * Refuses a number written in digits that no double holds ({@code 1e400}): TensorFlow Serving's
   * parser fails on it ("Number too big to be stored in double") where Jackson would read
   * infinity. The tokens {@code Infinity} and {@code -Infinity} are infinity.
   */
  static void requireDouble(JsonParser parser, double v, String where) throws IOException {
    if (Double.isInfinite(v) && !parser.getText().endsWith("Infinity")) {
      throw badRequest("JSON Parse error: Number too big to be stored in double: "
          + abbreviate(parser.getText()) + " at " + where);
    }
  }

  /**
   * Where the parser is, as {@code 'instances'[3][27]}: the element just counted, or with
   * {@code closing} the list that is closing.
   */
  private String at(boolean closing) {
    StringBuilder path = new StringBuilder(name);
    int levels = closing ? open - 1 : open;
    for (int level = 0; level < levels; level++) {
      path.append('[').append(Math.max(0, counts[level] - 1)).append(']');
      if (level == 0 && key != null) {
        path.append('.').append(key);
      }
    }
    return path.toString();
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }
}
