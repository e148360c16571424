package dev.personascope.model.io;

import ai.djl.ndarray.types.DataType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Element types of tensors on disk (safetensors names), with the conversions to and from f32. Narrowing
 * rounds to nearest, ties to even, exactly as torch's {@code .to(torch.bfloat16)} and {@code .half()}.
 */
public enum DType {
    F32(4), F16(2), BF16(2);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** A safetensors dtype name (F32, F16, BF16); {@code where} prefixes the error. */
    public static DType parse(String name, String where) {
        try {
            return DType.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new TensorFormatException(where + ": unsupported dtype '" + name + "' (supported: F32, F16, BF16)");
        }
    }

    /**
     * A torch dtype name as config.json's {@code torch_dtype} / {@code dtype} writes it ("float32", "bfloat16",
     * "float16", also with a "torch." prefix, or "float"/"half"), or a command-line spelling ("fp32", "bf16",
     * "fp16", "f32", "f16"); case does not matter.
     */
    public static DType fromTorchName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("dtype is missing (use float32, bfloat16 or float16)");
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.startsWith("torch.")) {
            n = n.substring("torch.".length());
        }
        return switch (n) {
            case "float32", "float", "fp32", "f32" -> F32;
            case "bfloat16", "bf16" -> BF16;
            case "float16", "half", "fp16", "f16" -> F16;
            default -> throw new IllegalArgumentException("dtype '" + name
                    + "' is not supported (use float32, bfloat16 or float16; fp32, bf16, fp16 also work)");
        };
    }

    /** The torch name: "float32", "bfloat16" or "float16". */
    public String torchName() {
        return switch (this) {
            case F32 -> "float32";
            case BF16 -> "bfloat16";
            case F16 -> "float16";
        };
    }

    /**
     * The DJL data type of the same layout. Beware: DJL 0.36's PyTorch JNI maps no DJL dtype to torch's
     * bfloat16 (its GetScalarTypeFromDType knows codes 0-8 only), so creating a BFLOAT16 array there or
     * {@code toType(BFLOAT16)} aborts the JVM (std::terminate, no Java exception); FLOAT16 works.
     */
    public DataType toDjl() {
        return switch (this) {
            case F32 -> DataType.FLOAT32;
            case BF16 -> DataType.BFLOAT16;
            case F16 -> DataType.FLOAT16;
        };
    }

    /** The DType of a DJL data type (FLOAT32, BFLOAT16 or FLOAT16); other types are an error naming it. */
    public static DType fromDjl(DataType type) {
        if (type == DataType.FLOAT32) {
            return F32;
        } else if (type == DataType.BFLOAT16) {
            return BF16;
        } else if (type == DataType.FLOAT16) {
            return F16;
        }
        throw new IllegalArgumentException("data type " + type + " has no safetensors float dtype (use float32, bfloat16 or float16)");
    }

    /** Reads {@code count} elements starting at the buffer's position, converting to f32. */
    public float[] toFloats(ByteBuffer raw, int count) {
        ByteBuffer buf = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[count];
        switch (this) {
            case F32 -> buf.asFloatBuffer().get(out);
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = bf16ToFloat(buf.getShort(2 * i));
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

    /**
     * Appends {@code count} values of {@code src} from {@code offset}, in this dtype, at the buffer's position
     * (the buffer must be little-endian and have {@code count * bytes} bytes left).
     */
    public void put(ByteBuffer dst, float[] src, int offset, int count) {
        switch (this) {
            case F32 -> {
                for (int i = offset; i < offset + count; i++) {
                    dst.putFloat(src[i]);
                }
            }
            case BF16 -> {
                for (int i = offset; i < offset + count; i++) {
                    dst.putShort(floatToBf16Bits(src[i]));
                }
            }
            case F16 -> {
                for (int i = offset; i < offset + count; i++) {
                    dst.putShort(floatToHalfBits(src[i]));
                }
            }
        }
    }

    /** The f32 value {@code v} becomes when stored in this dtype and read back. */
    public float round(float v) {
        return switch (this) {
            case F32 -> v;
            case BF16 -> bf16ToFloat(floatToBf16Bits(v));
            case F16 -> halfToFloat(floatToHalfBits(v));
        };
    }

    /** bfloat16 bits to f32 (exact: bf16 is the top half of an f32). */
    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /**
     * f32 to bfloat16 bits, rounding to nearest with ties to even; overflow rounds to infinity; NaN becomes
     * the quiet NaN 0x7fc0 (c10::BFloat16's round_to_nearest_even, which {@code .to(torch.bfloat16)} uses).
     */
    public static short floatToBf16Bits(float f) {
        if (Float.isNaN(f)) {
            return (short) 0x7fc0;
        }
        int u = Float.floatToRawIntBits(f);
        int roundingBias = ((u >>> 16) & 1) + 0x7fff;
        return (short) ((u + roundingBias) >>> 16);
    }

    /** IEEE 754 binary16 to binary32 (Float.float16ToFloat exists only from Java 20). */
    public static float halfToFloat(short h) {
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

    /**
     * f32 to IEEE 754 binary16 bits, rounding to nearest with ties to even, subnormals included; values from
     * 65520 up become infinity; NaN stays NaN (sign kept, quiet 0x7e00). This is the FP16 library's
     * fp16_ieee_from_fp32_value that c10::Half uses, so it matches torch's {@code .half()}; the float
     * additions do the rounding. (Float.floatToFloat16 exists only from Java 20.)
     */
    public static short floatToHalfBits(float f) {
        float base = (Math.abs(f) * 0x1.0p+112f) * 0x1.0p-110f;
        int w = Float.floatToRawIntBits(f);
        int shl1W = w << 1;
        int sign = w & 0x80000000;
        int bias = shl1W & 0xff000000;
        if (Integer.compareUnsigned(bias, 0x71000000) < 0) {
            bias = 0x71000000;
        }
        base = Float.intBitsToFloat((bias >>> 1) + 0x07800000) + base;
        int bits = Float.floatToRawIntBits(base);
        int expBits = (bits >>> 13) & 0x7c00;
        int mantissaBits = bits & 0x0fff;
        int nonSign = expBits + mantissaBits;
        return (short) ((sign >>> 16) | (Integer.compareUnsigned(shl1W, 0xff000000) > 0 ? 0x7e00 : nonSign));
    }
}
