package io.filterscope.tensor;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NumPy's {@code .npy} format, so tensors can be exchanged with Python without a converter.
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0, C or Fortran order, and the dtypes
 * {@code f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1} in either byte order; values become float32 (large
 * integers and doubles lose precision as a float32 cast in NumPy would). Writing always produces
 * what {@code np.save} writes for a C-ordered little-endian float32 array: version 1.0, the same
 * header text and padding, byte for byte.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** np.save aligns the data to 64 bytes so the file can be memory-mapped for any dtype. */
    private static final int ALIGN = 64;
    /**
     * np.save leaves room for the first dimension to grow to 21 digits so the header can be rewritten
     * in place; our header must carry the same spaces to be byte-identical.
     */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private Npy() {
    }

    /**
     * Reads a {@code .npy} file as a float32 tensor in C order.
     *
     * @throws FilterScopeException naming the file when it is missing, not a .npy file, truncated or
     *         holds a dtype that is not numeric
     */
    public static Tensor read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": no such file; give the path of a .npy file");
        } catch (IOException | OutOfMemoryError e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot read (" + e.getMessage() + "); check the path and its permissions", e);
        }
        return parse(bytes, file.toString());
    }

    /** Parses .npy content; {@code name} names the source in messages. */
    static Tensor parse(byte[] bytes, String name) {
        if (bytes.length < 10 || !startsWithMagic(bytes)) {
            throw new FilterScopeException(ErrorKind.INVALID_DATA, name + ": not a NumPy .npy file (no \\x93NUMPY magic); save arrays with numpy.save");
        }
        int major = bytes[6] & 0xff;
        int headerLength;
        int headerStart;
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            headerLength = bb.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw truncated(name);
            }
            long len = bb.getInt(8) & 0xffffffffL;
            if (len > bytes.length) {
                throw truncated(name);
            }
            headerLength = (int) len;
            headerStart = 12;
        } else {
            throw new FilterScopeException(ErrorKind.INVALID_DATA, name + ": .npy format version " + major + "." + (bytes[7] & 0xff)
                    + " is not supported (1.0, 2.0 and 3.0 are); save it again with numpy.save");
        }
        if (headerStart + (long) headerLength > bytes.length) {
            throw truncated(name);
        }
        // Versions 1 and 2 store the header in Latin-1, version 3 in UTF-8 (for field names).
        String header = new String(bytes, headerStart, headerLength, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = Header.parse(header, name);
        Dtype dtype = Dtype.of(h.descr, name);

        long count = 1;
        for (long d : h.shape) {
            // A header may declare any numbers: past Long.MAX_VALUE is as refused as past an int.
            count = d != 0 && count > Long.MAX_VALUE / d ? Long.MAX_VALUE : count * d;
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new FilterScopeException(ErrorKind.INVALID_DATA, name + ": the header declares " + (count == Long.MAX_VALUE ? "more than 2^63" : count)
                    + " values, too many for one tensor; save a smaller array");
        }
        int n = (int) count;
        int dataStart = headerStart + headerLength;
        long need = (long) n * dtype.size;
        if (bytes.length - dataStart < need) {
            throw truncated(name);
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) need).slice().order(dtype.order);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = dtype.read(data, i);
        }
        Shape shape = Shape.of(h.shape);
        if (h.fortranOrder && h.shape.length > 1) {
            // Fortran order is C order of the reversed shape; transposing back gives C order.
            long[] reversed = new long[h.shape.length];
            int[] perm = new int[h.shape.length];
            for (int k = 0; k < reversed.length; k++) {
                reversed[k] = h.shape[h.shape.length - 1 - k];
                perm[k] = h.shape.length - 1 - k;
            }
            return Tensor.wrap(Shape.of(reversed), values).transpose(perm);
        }
        return Tensor.wrap(shape, values);
    }

    /** The content of a {@code .npy} file holding {@code t} as little-endian float32, as np.save writes it. */
    public static byte[] toBytes(Tensor t) {
        long[] dims = t.shape().toArray();
        StringBuilder shape = new StringBuilder("(");
        for (int k = 0; k < dims.length; k++) {
            if (k > 0) {
                shape.append(", ");
            }
            shape.append(dims[k]);
        }
        if (dims.length == 1) {
            shape.append(',');
        }
        shape.append(')');
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': ")
                .append(shape).append(", }");
        if (dims.length > 0) {
            header.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(dims[0]).length())));
        }
        int hlen = header.length() + 1; // + the final newline
        int pad = ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ALIGN);
        header.append(" ".repeat(pad)).append('\n');
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + headerBytes.length + 4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) headerBytes.length).put(headerBytes);
        out.asFloatBuffer().put(t.buffer());
        return out.array();
    }

    /** Writes {@code t} to {@code file} atomically (see {@link #toBytes}). */
    public static void write(Tensor t, Path file) {
        AtomicFiles.write(file, toBytes(t));
    }

    private static boolean startsWithMagic(byte[] bytes) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static FilterScopeException truncated(String name) {
        return new FilterScopeException(ErrorKind.INVALID_DATA, name + ": truncated .npy file (less data than its header announces); save it again");
    }

    /** The three keys of an .npy header. */
    /**
     * Header text from the file as it may appear in a message: control characters (a line break
     * would split the one-line message) written as \\uXXXX, and at most 80 characters.
     */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return s.codePointCount(0, s.length()) > 80 ? b + "…" : b.toString();
    }

    private record Header(String descr, boolean fortranOrder, long[] shape) {

        /**
         * Parses the Python dict literal numpy writes. Only the subset numpy produces is accepted:
         * string, bool and tuple-of-int values; anything else is a malformed header.
         */
        static Header parse(String text, String name) {
            Parser p = new Parser(text, name);
            String descr = null;
            Boolean fortran = null;
            long[] shape = null;
            p.skipSpace();
            p.expect('{');
            while (true) {
                p.skipSpace();
                if (p.peek() == '}') {
                    break;
                }
                String key = p.string();
                p.skipSpace();
                p.expect(':');
                p.skipSpace();
                switch (key) {
                    case "descr" -> {
                        if (p.peek() != '\'' && p.peek() != '"') {
                            throw new FilterScopeException(ErrorKind.INVALID_DATA, name + ": structured dtype " + printable(p.rest())
                                    + " is not supported; save a plain numeric array");
                        }
                        descr = p.string();
                    }
                    case "fortran_order" -> fortran = p.bool();
                    case "shape" -> shape = p.tuple();
                    default -> throw p.error("unexpected key '" + key + "'");
                }
                p.skipSpace();
                if (p.peek() == ',') {
                    p.pos++;
                } else if (p.peek() != '}') {
                    throw p.error("expected ',' or '}'");
                }
            }
            if (descr == null || fortran == null || shape == null) {
                throw p.error("missing descr, fortran_order or shape");
            }
            return new Header(descr, fortran, shape);
        }
    }

    private static final class Parser {
        final String s;
        final String name;
        int pos;

        Parser(String s, String name) {
            this.s = s;
            this.name = name;
        }

        char peek() {
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(pos);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        String string() {
            char q = peek();
            if (q != '\'' && q != '"') {
                throw error("expected a string");
            }
            int end = s.indexOf(q, pos + 1);
            if (end < 0) {
                throw error("unterminated string");
            }
            String v = s.substring(pos + 1, end);
            pos = end + 1;
            return v;
        }

        boolean bool() {
            if (s.startsWith("True", pos)) {
                pos += 4;
                return true;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return false;
            }
            throw error("expected True or False");
        }

        long[] tuple() {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == ')') {
                    pos++;
                    break;
                }
                int start = pos;
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                    pos++;
                }
                // Python 2 era files may write 3L for a long.
                String digits = s.substring(start, pos);
                if (pos < s.length() && s.charAt(pos) == 'L') {
                    pos++;
                }
                if (digits.isEmpty()) {
                    throw error("expected a dimension");
                }
                try {
                    dims.add(Long.parseLong(digits));
                } catch (NumberFormatException e) {
                    throw error("dimension " + digits + " too large");
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != ')') {
                    throw error("expected ',' or ')'");
                }
            }
            return dims.stream().mapToLong(Long::longValue).toArray();
        }

        String rest() {
            int end = Math.min(s.length(), pos + 40);
            return s.substring(pos, end).trim();
        }

        FilterScopeException error(String what) {
            return new FilterScopeException(ErrorKind.INVALID_DATA, name + ": malformed .npy header (" + printable(what) + " at character " + pos
                    + "); save the array again with numpy.save");
        }
    }

    /** A numeric dtype: its size, byte order and how to turn one element into a float. */
    private enum Kind { F, I, U, B }

    private record Dtype(Kind kind, int size, ByteOrder order) {

        static Dtype of(String descr, String name) {
            String d = descr.trim();
            if (d.length() < 3) {
                throw unsupported(descr, name);
            }
            char endian = d.charAt(0);
            ByteOrder order = switch (endian) {
                case '<', '|' -> ByteOrder.LITTLE_ENDIAN;
                case '>' -> ByteOrder.BIG_ENDIAN;
                case '=' -> ByteOrder.nativeOrder();
                default -> throw unsupported(descr, name);
            };
            String code = d.substring(1).toLowerCase(Locale.ROOT);
            return switch (code) {
                case "f2" -> new Dtype(Kind.F, 2, order);
                case "f4" -> new Dtype(Kind.F, 4, order);
                case "f8" -> new Dtype(Kind.F, 8, order);
                case "i1" -> new Dtype(Kind.I, 1, order);
                case "i2" -> new Dtype(Kind.I, 2, order);
                case "i4" -> new Dtype(Kind.I, 4, order);
                case "i8" -> new Dtype(Kind.I, 8, order);
                case "u1" -> new Dtype(Kind.U, 1, order);
                case "u2" -> new Dtype(Kind.U, 2, order);
                case "u4" -> new Dtype(Kind.U, 4, order);
                case "u8" -> new Dtype(Kind.U, 8, order);
                case "b1" -> new Dtype(Kind.B, 1, order);
                default -> throw unsupported(descr, name);
            };
        }

        float read(ByteBuffer b, int i) {
            int at = i * size;
            return switch (kind) {
                case F -> switch (size) {
                    case 2 -> halfToFloat(b.getShort(at));
                    case 4 -> b.getFloat(at);
                    default -> (float) b.getDouble(at);
                };
                case I -> switch (size) {
                    case 1 -> b.get(at);
                    case 2 -> b.getShort(at);
                    case 4 -> b.getInt(at);
                    default -> b.getLong(at);
                };
                case U -> switch (size) {
                    case 1 -> b.get(at) & 0xff;
                    case 2 -> b.getShort(at) & 0xffff;
                    case 4 -> b.getInt(at) & 0xffffffffL;
                    default -> unsignedLongToFloat(b.getLong(at));
                };
                case B -> b.get(at) != 0 ? 1f : 0f;
            };
        }

        private static FilterScopeException unsupported(String descr, String name) {
            return new FilterScopeException(ErrorKind.INVALID_DATA, name + ": dtype '" + printable(descr) + "' is not supported (numeric and bool arrays are: "
                    + "f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1); convert it with array.astype('float32')");
        }
    }

    private static float unsignedLongToFloat(long v) {
        return v >= 0 ? (float) v : (float) ((v >>> 1) | (v & 1)) * 2f;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal half: value = mant × 2^-24, exact in float.
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
