package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.tfrnn.inference.PredictionException;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import org.tfrnn.tensors.NdValue;

/** TensorFlow's {@code Tensor::FromProto} rules, on protos built by hand. */
class TensorProtoValuesTest {

  private static TensorProto.Builder proto(DataType dtype, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return TensorProto.newBuilder().setDtype(dtype).setTensorShape(shape);
  }

  @Test
  void tensorContentIsLittleEndian() {
    ByteBuffer bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putFloat(1.5f).putFloat(-2f).putFloat(0.25f).putFloat(1e30f);
    NdValue value = TensorProtoValues.toNdValue("x", proto(DataType.DT_FLOAT, 2, 2)
        .setTensorContent(ByteString.copyFrom(bytes.array())).build());
    assertArrayEquals(new long[] {2, 2}, value.shape());
    assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 1e30f}, value.floats());
  }

  @Test
  void fewerTypedValuesRepeatTheLastAndNoneMeansZeros() {
    NdValue repeated = TensorProtoValues.toNdValue("x", proto(DataType.DT_INT64, 4)
        .addInt64Val(7).addInt64Val(9).build());
    assertArrayEquals(new long[] {7, 9, 9, 9}, repeated.longs());
    NdValue zeros = TensorProtoValues.toNdValue("x", proto(DataType.DT_DOUBLE, 3).build());
    assertArrayEquals(new double[] {0, 0, 0}, zeros.doubles());
    NdValue scalar = TensorProtoValues.toNdValue("x", proto(DataType.DT_BOOL).addBoolVal(true)
        .build());
    assertEquals(0, scalar.rank());
    assertArrayEquals(new boolean[] {true}, scalar.booleans());
  }

  @Test
  void badProtosAreBadRequestsNamingTheInput() {
    PredictionException tooMany = assertThrows(PredictionException.class, () ->
        TensorProtoValues.toNdValue("x", proto(DataType.DT_INT32, 1).addIntVal(1).addIntVal(2)
            .build()));
    assertTrue(tooMany.badRequest());
    assertTrue(tooMany.getMessage().contains("'x'"), tooMany.getMessage());
    PredictionException shortContent = assertThrows(PredictionException.class, () ->
        TensorProtoValues.toNdValue("img", proto(DataType.DT_FLOAT, 3)
            .setTensorContent(ByteString.copyFrom(new byte[8])).build()));
    assertTrue(shortContent.getMessage().contains("8 bytes"), shortContent.getMessage());
    assertThrows(PredictionException.class, () -> TensorProtoValues.toNdValue("x",
        proto(DataType.DT_FLOAT, -1).build()));
    assertThrows(PredictionException.class, () -> TensorProtoValues.toNdValue("x",
        proto(DataType.DT_COMPLEX64, 1).build()));
    assertThrows(PredictionException.class, () -> TensorProtoValues.toNdValue("x",
        proto(DataType.DT_STRING, 1).addStringVal(ByteString.EMPTY).addStringVal(ByteString.EMPTY)
            .build()));
  }

  @Test
  void stringsComeInStringVal() {
    NdValue value = TensorProtoValues.toNdValue("s", proto(DataType.DT_STRING, 3)
        .addStringVal(ByteString.copyFromUtf8("a")).addStringVal(ByteString.copyFromUtf8("\u00e9"))
        .build());
    assertArrayEquals(new byte[][] {{'a'}, {(byte) 0xc3, (byte) 0xa9}, {(byte) 0xc3, (byte) 0xa9}},
        value.strings());
    assertEquals(value, TensorProtoValues.toNdValue("s", TensorProtoValues.toProto(value)));
  }

  @Test
  void answersRoundTripThroughTheTypedFields() {
    NdValue value = new NdValue(DataType.DT_INT32, new long[] {3, 1}, new int[] {4, -5, 6});
    TensorProto proto = TensorProtoValues.toProto(value);
    assertEquals(java.util.List.of(4, -5, 6), proto.getIntValList());
    assertEquals(3, proto.getTensorShape().getDim(0).getSize());
    assertEquals(value, TensorProtoValues.toNdValue("y", proto));
  }
}
