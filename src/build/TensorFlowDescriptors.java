import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the descriptors of the TensorFlow .proto files that TensorFlow Serving's API imports, as
 * TF Java's {@code tensorflow-core-native} compiled them (with their {@code org.tensorflow.proto}
 * Java options), to a FileDescriptorSet. protoc reads it with {@code --descriptor_set_in}: the
 * imports resolve to TF Java's classes, and no duplicate of them is generated.
 *
 * <p>Run by {@code src/build/protoc.sh} as a single-file program: {@code java -cp CLASSPATH
 * TensorFlowDescriptors.java OUT}.
 */
public final class TensorFlowDescriptors {
  public static void main(String[] args) throws IOException {
    FileDescriptor[] roots = {
        org.tensorflow.proto.TensorProtos.getDescriptor(), // tensorflow/core/framework/tensor.proto
        org.tensorflow.proto.MetaGraphProtos.getDescriptor(),
        org.tensorflow.proto.ExampleProtos.getDescriptor(),
        org.tensorflow.proto.ConfigProtos.getDescriptor(),
        org.tensorflow.proto.NamedTensorProtos.getDescriptor(),
        // tensorflow/core/protobuf/error_codes.proto, which imports tsl/protobuf/error_codes.proto
        org.tensorflow.proto.error.dummy.ErrorCodes.getDescriptor(),
        com.google.protobuf.AnyProto.getDescriptor(),
        com.google.protobuf.WrappersProto.getDescriptor(),
    };
    Map<String, FileDescriptor> ordered = new LinkedHashMap<>();
    for (FileDescriptor root : roots) {
      addWithDependencies(root, ordered);
    }
    FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
    ordered.values().forEach(file -> set.addFile(file.toProto()));
    Path out = Path.of(args[0]);
    Files.createDirectories(out.toAbsolutePath().getParent());
    try (OutputStream stream = Files.newOutputStream(out)) {
      set.build().writeTo(stream);
    }
  }

  /** Dependencies first, as protoc wants them. */
  private static void addWithDependencies(FileDescriptor file, Map<String, FileDescriptor> ordered) {
    if (ordered.containsKey(file.getName())) {
      return;
    }
    for (FileDescriptor dependency : file.getDependencies()) {
      addWithDependencies(dependency, ordered);
    }
    ordered.put(file.getName(), file);
  }
}
