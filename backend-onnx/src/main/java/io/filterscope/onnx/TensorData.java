package io.filterscope.onnx;

import com.google.protobuf.ByteString;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.onnx.proto.OnnxModel.StringStringEntry;
import io.filterscope.onnx.proto.OnnxModel.Tensor;
import io.filterscope.onnx.proto.OnnxModel.Tensor.DataType;
import io.filterscope.tensor.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Decodes ONNX tensors to float32, whatever form the exporter chose: {@code raw_data} (little
 * endian), the typed repeated fields, 16-bit floats (float16, bfloat16, which ONNX keeps in
 * {@code int32_data} when not raw), integers (quantised weights), and external data files inside the
 * model's folder.
 */
final class TensorData {
    private final Path modelFile;

    TensorData(Path modelFile) {
        this.modelFile = modelFile;
    }

    static Shape shapeOf(Tensor t) {
        return Shape.of(t.getDimsList().stream().mapToLong(Long::longValue).toArray());
    }

    /** The values of {@code t} as floats in C order. */
    float[] floats(Tensor t) {
        int n = shapeOf(t).size();
        DataType type = DataType.forNumber(t.getDataType());
        if (type == null) {
            throw unsupported(t, "element type " + t.getDataType());
        }
        ByteBuffer raw = rawBytes(t);
        float[] out = new float[n];
        if (raw != null) {
            raw.order(ByteOrder.LITTLE_ENDIAN);
            int width = byteWidth(type, t);
            if (raw.remaining() < (long) n * width) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, modelFile + ": tensor '" + ExternalData.printable(t.getName()) + "' holds " + raw.remaining()
                        + " bytes, " + ((long) n * width) + " needed for shape " + shapeOf(t) + "; the file is damaged, export it again");
            }
            for (int i = 0; i < n; i++) {
                out[i] = readRaw(raw, type, i, t);
            }
            return out;
        }
        switch (type) {
            case FLOAT -> copyCount(t, t.getFloatDataCount(), n, i -> out[i] = t.getFloatData(i));
            case DOUBLE -> copyCount(t, t.getDoubleDataCount(), n, i -> out[i] = (float) t.getDoubleData(i));
            case INT64 -> copyCount(t, t.getInt64DataCount(), n, i -> out[i] = t.getInt64Data(i));
            case UINT32, UINT64 -> copyCount(t, t.getUint64DataCount(), n, i -> out[i] = t.getUint64Data(i));
            case FLOAT16 -> copyCount(t, t.getInt32DataCount(), n, i -> out[i] = halfToFloat(t.getInt32Data(i)));
            case BFLOAT16 -> copyCount(t, t.getInt32DataCount(), n, i -> out[i] = Float.intBitsToFloat(t.getInt32Data(i) << 16));
            case INT32, INT16, INT8, UINT16, UINT8, BOOL -> copyCount(t, t.getInt32DataCount(), n, i -> out[i] = t.getInt32Data(i));
            default -> throw unsupported(t, "element type " + type);
        }
        return out;
    }

    private interface IndexAction {
        void at(int i);
    }

    private void copyCount(Tensor t, int have, int n, IndexAction action) {
        if (have != n) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, modelFile + ": tensor '" + ExternalData.printable(t.getName()) + "' has " + have + " values for shape "
                    + shapeOf(t) + "; the file is damaged, export it again");
        }
        for (int i = 0; i < n; i++) {
            action.at(i);
        }
    }

    private static int byteWidth(DataType type, Tensor t) {
        return switch (type) {
            case FLOAT, INT32, UINT32 -> 4;
            case DOUBLE, INT64, UINT64 -> 8;
            case FLOAT16, BFLOAT16, INT16, UINT16 -> 2;
            case INT8, UINT8, BOOL -> 1;
            default -> throw new IllegalStateException("no width for " + type + " in " + t.getName());
        };
    }

    private float readRaw(ByteBuffer b, DataType type, int i, Tensor t) {
        int at = b.position();
        return switch (type) {
            case FLOAT -> b.getFloat(at + 4 * i);
            case DOUBLE -> (float) b.getDouble(at + 8 * i);
            case INT32 -> b.getInt(at + 4 * i);
            case UINT32 -> Integer.toUnsignedLong(b.getInt(at + 4 * i));
            case INT64 -> b.getLong(at + 8 * i);
            case UINT64 -> b.getLong(at + 8 * i);
            case FLOAT16 -> halfToFloat(b.getShort(at + 2 * i));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(at + 2 * i) & 0xffff) << 16);
            case INT16 -> b.getShort(at + 2 * i);
            case UINT16 -> b.getShort(at + 2 * i) & 0xffff;
            case INT8 -> b.get(at + i);
            case UINT8 -> b.get(at + i) & 0xff;
            case BOOL -> b.get(at + i) != 0 ? 1f : 0f;
            default -> throw unsupported(t, "element type " + type);
        };
    }

    /** The raw little-endian bytes of the tensor (inline or external), or null when it uses typed fields. */
    private ByteBuffer rawBytes(Tensor t) {
        if (t.getDataLocation() == Tensor.DataLocation.EXTERNAL) {
            return external(t);
        }
        if (t.hasRawData()) {
            ByteString raw = t.getRawData();
            return raw.asReadOnlyByteBuffer();
        }
        return null;
    }

    private ByteBuffer external(Tensor t) {
        String location = ExternalData.location(modelFile, t);
        Path data = ExternalData.resolve(modelFile, location, t.getName());
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
            long[] slice = ExternalData.slice(modelFile, t, data, ch.size());
            long offset = slice[0];
            long len = slice[1];
            if (len > Integer.MAX_VALUE - 8) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, modelFile + ": tensor '" + ExternalData.printable(t.getName()) + "' holds " + len
                        + " bytes; FilterScope decodes weights of at most 2 GB per tensor");
            }
            return ch.map(FileChannel.MapMode.READ_ONLY, offset, len);
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, modelFile + ": cannot read external data " + ExternalData.printable(location) + " for '" + ExternalData.printable(t.getName())
                    + "' (" + e.getMessage() + "); keep the data file next to the model", e);
        }
    }

    /** IEEE 754 half precision to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(int bits) {
        int sign = (bits >>> 15) & 0x1;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        float value;
        if (exp == 0) {
            value = mant * 0x1p-24f; // subnormal
        } else if (exp == 0x1f) {
            value = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            value = Float.intBitsToFloat(((exp - 15 + 127) << 23) | (mant << 13));
        }
        return sign == 1 ? -value : value;
    }

    private FilterScopeException unsupported(Tensor t, String what) {
        return new FilterScopeException(ErrorKind.UNSUPPORTED, modelFile + ": tensor '" + ExternalData.printable(t.getName()) + "' uses " + what
                + ", which FilterScope cannot decode; export the weights as float32");
    }

    /** Where external data may live: inside the model's folder, never outside. */
    static final class ExternalData {
        private ExternalData() {
        }

        /** The tensor's external data location; refused when it names none. */
        static String location(Path modelFile, Tensor t) {
            return t.getExternalDataList().stream().filter(e -> e.getKey().equals("location")).reduce((a, b) -> b)
                    .map(StringStringEntry::getValue)
                    .orElseThrow(() -> new FilterScopeException(ErrorKind.NOT_A_MODEL, modelFile + ": tensor '" + printable(t.getName())
                            + "' is marked external but names no location; export the model again"));
        }

        /**
         * {@code [offset, length]} of the tensor's bytes in {@code data}, a file of {@code size} bytes,
         * checked against its size. Compared without adding: offset and length come from the file and
         * may be made to overflow (ONNX Runtime, handed them, fails with its own internal message).
         */
        static long[] slice(Path modelFile, Tensor t, Path data, long size) {
            long offset = 0;
            long length = -1;
            for (StringStringEntry e : t.getExternalDataList()) {
                switch (e.getKey()) {
                    case "offset" -> offset = number(modelFile, t, e);
                    case "length" -> length = number(modelFile, t, e);
                    default -> { }
                }
            }
            long len = length >= 0 ? length : size - offset;
            if (offset < 0 || len < 0 || offset > size || len > size - offset) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, modelFile + ": external data for '" + printable(t.getName()) + "' runs past the end of "
                        + data.getFileName() + "; copy the complete file next to the model");
            }
            return new long[] {offset, len};
        }

        private static long number(Path modelFile, Tensor t, StringStringEntry e) {
            try {
                return Long.parseLong(e.getValue().trim());
            } catch (NumberFormatException ex) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, modelFile + ": the external data " + e.getKey() + " of '" + printable(t.getName())
                        + "' is '" + printable(e.getValue()) + "', not a number; export the model again", ex);
            }
        }

        static Path resolve(Path modelFile, String location, String tensor) {
            // Normalise both sides: a model given as ../x/model.onnx must still contain its own folder.
            Path folder = modelFile.toAbsolutePath().normalize().getParent();
            Path candidate;
            try {
                candidate = folder.resolve(location).normalize();
                if (Path.of(location).isAbsolute() || !candidate.startsWith(folder)) {
                    throw escape(modelFile, location, tensor);
                }
            } catch (java.nio.file.InvalidPathException e) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, modelFile + ": external data location '" + printable(location) + "' of '"
                        + printable(tensor) + "' is not a file name; export the model again", e);
            }
            if (!Files.isRegularFile(candidate)) {
                throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, modelFile + ": external data file '" + printable(location) + "' for '"
                        + printable(tensor) + "' is missing; copy it next to the model");
            }
            try {
                // A link inside the folder may still point outside it.
                Path real = candidate.toRealPath();
                if (!real.startsWith(folder.toRealPath(LinkOption.NOFOLLOW_LINKS).toRealPath())) {
                    throw escape(modelFile, location, tensor);
                }
                return real;
            } catch (IOException e) {
                throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, modelFile + ": cannot resolve external data '" + printable(location) + "' (" + e.getMessage() + ")", e);
            }
        }

        /**
         * Checks every external location in the model: initializers, sparse initializers, tensors in
         * node attributes (Constant values), subgraphs of If/Loop/Scan and function bodies alike, for
         * ONNX Runtime reads external data wherever a tensor declares it. Walks the parsed message
         * generically, so a tensor in a place this list forgets is still checked.
         */
        static void checkAll(Path modelFile, com.google.protobuf.Message model) {
            java.util.ArrayDeque<com.google.protobuf.Message> todo = new java.util.ArrayDeque<>();
            todo.push(model);
            while (!todo.isEmpty()) {
                com.google.protobuf.Message m = todo.pop();
                if (m instanceof Tensor t && t.getDataLocation() == Tensor.DataLocation.EXTERNAL) {
                    for (StringStringEntry e : t.getExternalDataList()) {
                        if (e.getKey().equals("location")) {
                            Path data = resolve(modelFile, e.getValue(), t.getName());
                            try {
                                // Before ONNX Runtime reads them: its own refusal of an overflowing offset is an internal error text.
                                slice(modelFile, t, data, Files.size(data));
                            } catch (IOException x) {
                                throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, modelFile + ": cannot read external data "
                                        + printable(e.getValue()) + " for '" + printable(t.getName()) + "' (" + x.getMessage()
                                        + "); keep the data file next to the model", x);
                            }
                        }
                    }
                }
                for (var field : m.getAllFields().entrySet()) {
                    if (field.getKey().getJavaType() != com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE) {
                        continue;
                    }
                    if (field.getKey().isRepeated()) {
                        for (Object o : (java.util.List<?>) field.getValue()) {
                            todo.push((com.google.protobuf.Message) o);
                        }
                    } else {
                        todo.push((com.google.protobuf.Message) field.getValue());
                    }
                }
            }
        }

        private static FilterScopeException escape(Path modelFile, String location, String tensor) {
            return new FilterScopeException(ErrorKind.NOT_A_MODEL, modelFile + ": external data location '" + printable(location) + "' of '"
                    + printable(tensor) + "' lies outside the model's folder; refused (keep the data files in the model's folder)");
        }

        /** Names from the file, fit for a one-line message: control characters escaped, long ones cut. */
        static String printable(String s) {
            StringBuilder b = new StringBuilder();
            s.codePoints().limit(200).forEach(c -> {
                if (Character.isISOControl(c)) {
                    b.append(String.format("\\u%04x", c));
                } else {
                    b.appendCodePoint(c);
                }
            });
            return s.codePointCount(0, s.length()) > 200 ? b + "…" : b.toString();
        }
    }
}
