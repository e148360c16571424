package dev.personascope.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Element types of tensors on disk (safetensors names); all are converted to f32 for compute. */
public enum DType {
    F32(4), F16(2), BF16(2);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public static DType parse(String name, String where) {
        try {
            return DType.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new TensorFormatException(where + ": unsupported dtype '" + name + "' (supported: F32, F16, BF16)");
        }
    }

    /** Reads {@code count} elements starting at the buffer's position, converting to f32. */
    public float[] toFloats(ByteBuffer raw, int count) {
        ByteBuffer buf = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[count];
        switch (this) {
            case F32 -> buf.asFloatBuffer().get(out);
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = Float.intBitsToFloat((buf.getShort(2 * i) & 0xffff) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = halfToFloat(buf.getShort(2 * i));
                }
            }
        }
        return out;
    }

    /** IEEE 754 binary16 to binary32 (Float.float16ToFloat exists only from Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) { // inf or NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal half: value = mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
