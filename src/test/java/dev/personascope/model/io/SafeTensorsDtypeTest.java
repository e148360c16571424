package dev.personascope.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Narrowing f32 to bf16 and f16 (round to nearest, ties to even, as torch), checked by hand, against an
 * independent nearest-value search, and against libtorch's own conversion; and safetensors files in each dtype.
 */
class SafeTensorsDtypeTest {

    private static int bf16(float f) {
        return DType.floatToBf16Bits(f) & 0xffff;
    }

    private static int f16(float f) {
        return DType.floatToHalfBits(f) & 0xffff;
    }

    @Test
    void bfloat16BitPatternsCheckedByHand() {
        assertEquals(0x3f80, bf16(1.0f));
        assertEquals(0x3f80, bf16(1.00390625f)); // 1 + 2^-8: a tie, to the even 1.0
        assertEquals(1.015625f, DType.bf16ToFloat((short) bf16(1.01171875f))); // 1 + 3*2^-8: a tie, up to even
        assertEquals(0x3f81, bf16(Math.nextUp(1.00390625f))); // just past the tie rounds up
        assertEquals(0x3f81, bf16(Math.nextDown(1.01171875f))); // just below the next tie rounds down
        assertEquals(0xbf80, bf16(-1.00390625f));
        assertEquals(0x4049, bf16(3.14159265f)); // 3.140625
        assertEquals(0x3dcd, bf16(0.1f)); // 0x3dcccccd rounds up
        assertEquals(0x8000, bf16(-0.0f));
        assertEquals(0x0000, bf16(Float.MIN_VALUE)); // f32 subnormal below bf16's half-ulp
        assertEquals(0x0001, bf16(Float.intBitsToFloat(0x00008001)));
        assertEquals(0x7f80, bf16(Float.POSITIVE_INFINITY));
        assertEquals(0xff80, bf16(Float.NEGATIVE_INFINITY));
        assertEquals(0x7f7f, bf16(Float.intBitsToFloat(0x7f7f7fff))); // largest below the tie to infinity
        assertEquals(0x7f80, bf16(Float.intBitsToFloat(0x7f7f8000))); // tie with odd 0x7f7f: to infinity
        assertEquals(0x7f80, bf16(Float.MAX_VALUE));
        assertEquals(0x7fc0, bf16(Float.NaN));
        assertTrue(Float.isNaN(DType.bf16ToFloat(DType.floatToBf16Bits(Float.intBitsToFloat(0x7f800001))))); // a signalling NaN
        assertTrue(Float.isNaN(DType.bf16ToFloat(DType.floatToBf16Bits(Float.intBitsToFloat(0xffffffff)))));
    }

    @Test
    void halfBitPatternsCheckedByHand() {
        assertEquals(0x3c00, f16(1.0f));
        assertEquals(0x3c00, f16(1.00048828125f)); // 1 + 2^-11: a tie, to even
        assertEquals(0x3c02, f16(1.00146484375f)); // 1 + 3*2^-11: a tie, up to even
        assertEquals(0x3c01, f16(Math.nextUp(1.00048828125f)));
        assertEquals(0xc000, f16(-2.0f));
        assertEquals(0x3555, f16(1f / 3));
        assertEquals(0x2e66, f16(0.1f));
        assertEquals(0x4248, f16(3.14159265f));
        assertEquals(0x7bff, f16(65504f));
        assertEquals(0x7bff, f16(65519.996f));
        assertEquals(0x7c00, f16(65520f)); // the tie above the largest half goes to infinity
        assertEquals(0x7c00, f16(1e6f));
        assertEquals(0xfc00, f16(-1e30f));
        assertEquals(0x7c00, f16(Float.POSITIVE_INFINITY));
        assertEquals(0x0400, f16(0x1p-14f)); // smallest normal
        assertEquals(0x03ff, f16(0x1p-14f - 0x1p-24f)); // largest subnormal
        assertEquals(0x0001, f16(0x1p-24f)); // smallest subnormal
        assertEquals(0x0000, f16(0x1p-25f)); // half of it: a tie, to even zero
        assertEquals(0x0001, f16(Math.nextUp(0x1p-25f)));
        assertEquals(0x0002, f16(3 * 0x1p-25f)); // 1.5 ulp: a tie, up to even 2
        assertEquals(0x0002, f16(5 * 0x1p-25f)); // 2.5 ulp: a tie, down to even 2
        assertEquals(0x8000, f16(-0x1p-26f));
        assertEquals(0x8000, f16(-0.0f));
        assertEquals(0x0000, f16(Float.MIN_VALUE));
        assertEquals(0x7e00, f16(Float.NaN));
        assertTrue(Float.isNaN(DType.halfToFloat(DType.floatToHalfBits(Float.intBitsToFloat(0x7f800001)))));
        assertTrue(Float.isNaN(DType.halfToFloat(DType.floatToHalfBits(Float.intBitsToFloat(0xffc00000)))));
    }

    @Test
    void everyBf16AndHalfValueSurvivesARoundTrip() {
        for (int b = 0; b < 0x10000; b++) {
            float bv = DType.bf16ToFloat((short) b);
            float hv = DType.halfToFloat((short) b);
            if (Float.isNaN(bv)) {
                assertTrue(Float.isNaN(DType.BF16.round(bv)));
            } else {
                assertEquals(b, bf16(bv), "bf16 " + Integer.toHexString(b));
                assertEquals(Float.floatToRawIntBits(bv), Float.floatToRawIntBits(DType.BF16.round(bv)));
            }
            if (Float.isNaN(hv)) {
                assertTrue(Float.isNaN(DType.F16.round(hv)));
            } else {
                assertEquals(b, f16(hv), "f16 " + Integer.toHexString(b));
            }
        }
    }

    /** Floats around every rounding boundary of both formats, and random ones everywhere. */
    private static float[] probes() {
        List<Float> out = new ArrayList<>();
        for (int b = 0; b < 0x10000; b++) {
            float bv = DType.bf16ToFloat((short) b);
            if (!Float.isFinite(bv)) {
                continue;
            }
            float mid = Float.intBitsToFloat(Float.floatToRawIntBits(bv) | 0x8000); // the tie above bv
            out.add(bv);
            out.add(mid);
            out.add(Math.nextUp(mid));
            out.add(Math.nextDown(mid));
        }
        for (int h = 0; h < 0x10000; h++) {
            float hv = DType.halfToFloat((short) h);
            if (!Float.isFinite(hv) || h == 0x7bff || h == 0xfbff) {
                continue;
            }
            float next = DType.halfToFloat((short) (h + 1));
            float mid = (float) (((double) hv + next) / 2); // exact: one more bit than a half
            out.add(hv);
            out.add(mid);
            out.add(Math.nextUp(mid));
            out.add(Math.nextDown(mid));
        }
        for (float f : new float[] {65504f, 65519f, 65520f, -65520f, Math.nextDown(65520f), Math.nextUp(65520f), 1e10f,
                Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_NORMAL, Float.MIN_VALUE, 0f, -0f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7f800001),
                Float.intBitsToFloat(0xffc00001)}) {
            out.add(f);
        }
        Random r = new Random(7);
        for (int i = 0; i < 300_000; i++) {
            out.add(Float.intBitsToFloat(r.nextInt())); // anywhere
            out.add((float) (r.nextGaussian() * Math.pow(2, -30 + r.nextInt(50)))); // the f16 range and its subnormals
        }
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    /** The nearest of the finite values (sorted, non-negative, as doubles) with ties to the even bit pattern. */
    private static int nearest(double x, double[] values, double overflowAt, int infBits) {
        if (x >= overflowAt) {
            return infBits;
        }
        int lo = 0;
        int hi = values.length - 1;
        while (lo < hi) { // largest index with values[index] <= x
            int m = (lo + hi + 1) >>> 1;
            if (values[m] <= x) {
                lo = m;
            } else {
                hi = m - 1;
            }
        }
        if (lo == values.length - 1) {
            return lo;
        }
        double down = x - values[lo];
        double up = values[lo + 1] - x;
        if (down < up) {
            return lo;
        }
        if (up < down) {
            return lo + 1;
        }
        return (lo & 1) == 0 ? lo : lo + 1;
    }

    private static double[][] tables() {
        double[] bfValues = new double[0x7f80];
        double[] hValues = new double[0x7c00];
        for (int i = 0; i < bfValues.length; i++) {
            bfValues[i] = DType.bf16ToFloat((short) i);
        }
        for (int i = 0; i < hValues.length; i++) {
            hValues[i] = DType.halfToFloat((short) i);
        }
        return new double[][] {bfValues, hValues};
    }

    // the tie between the largest finite value and the next power of two rounds to infinity (the largest is odd)
    private static final double BF16_OVERFLOW = (double) Float.intBitsToFloat(0x7f7f0000) + 0x1p119;
    private static final double F16_OVERFLOW = 65520;

    private static void checkAgainstSearch(float f, double[][] tables) {
        if (Float.isNaN(f)) {
            return;
        }
        int sign = Float.floatToRawIntBits(f) < 0 ? 0x8000 : 0;
        double x = Math.abs((double) f);
        int b = sign | nearest(x, tables[0], BF16_OVERFLOW, 0x7f80);
        int h = sign | nearest(x, tables[1], F16_OVERFLOW, 0x7c00);
        if (b != bf16(f) || h != f16(f)) {
            throw new AssertionError("0x" + Integer.toHexString(Float.floatToRawIntBits(f)) + " (" + f + "): bf16 0x"
                    + Integer.toHexString(bf16(f)) + " expected 0x" + Integer.toHexString(b) + ", f16 0x"
                    + Integer.toHexString(f16(f)) + " expected 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void roundingMatchesAnIndependentNearestValueSearch() {
        double[][] tables = tables();
        for (float f : probes()) {
            checkAgainstSearch(f, tables);
        }
    }

    /**
     * libtorch's own f32 to f16 conversion ({@code .half()}) gives the same bits. (bf16 cannot be checked
     * this way: DJL 0.36's PyTorch JNI maps no DJL dtype to torch's bfloat16 and aborts the JVM on one.)
     */
    private static void assertHalfSameAsTorch(float[] values) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            ByteBuffer torch = m.create(values).toType(DataType.FLOAT16, true).toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i++) {
                short t = torch.getShort(2 * i);
                short ours = DType.floatToHalfBits(values[i]);
                if (Float.isNaN(values[i])) {
                    assertTrue(Float.isNaN(DType.halfToFloat(t)) && Float.isNaN(DType.halfToFloat(ours)));
                } else if (t != ours) {
                    throw new AssertionError("f16 of " + values[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(values[i]))
                            + "): torch 0x" + Integer.toHexString(t & 0xffff) + ", ours 0x" + Integer.toHexString(ours & 0xffff));
                }
            }
        }
    }

    @Test
    void halfRoundingMatchesLibtorch() {
        assertHalfSameAsTorch(probes());
    }

    /** Every f32 bit pattern against libtorch's .half() (a few minutes): {@code PERSONASCOPE_EXHAUSTIVE=1 mvn test -Dtest=SafeTensorsDtypeTest}. */
    @Test
    @EnabledIfEnvironmentVariable(named = "PERSONASCOPE_EXHAUSTIVE", matches = "1")
    void everyFloatToHalfMatchesLibtorch() {
        int chunk = 1 << 24;
        float[] values = new float[chunk];
        for (long start = 0; start < (1L << 32); start += chunk) {
            for (int i = 0; i < chunk; i++) {
                values[i] = Float.intBitsToFloat((int) (start + i));
            }
            assertHalfSameAsTorch(values);
        }
    }

    /** Every f32 bit pattern against the independent search (bf16 and f16): {@code PERSONASCOPE_EXHAUSTIVE=1 mvn test -Dtest=SafeTensorsDtypeTest}. */
    @Test
    @EnabledIfEnvironmentVariable(named = "PERSONASCOPE_EXHAUSTIVE", matches = "1")
    void everyFloatMatchesTheNearestValueSearch() {
        double[][] tables = tables();
        for (long bits = 0; bits < (1L << 32); bits++) {
            checkAgainstSearch(Float.intBitsToFloat((int) bits), tables);
        }
    }

    @Test
    void torchNamesAndDjlTypes() {
        assertEquals(DType.F32, DType.fromTorchName("float32"));
        assertEquals(DType.BF16, DType.fromTorchName("bfloat16"));
        assertEquals(DType.F16, DType.fromTorchName("float16"));
        assertEquals(DType.F32, DType.fromTorchName("fp32"));
        assertEquals(DType.BF16, DType.fromTorchName("BF16"));
        assertEquals(DType.F16, DType.fromTorchName("fp16"));
        assertEquals(DType.BF16, DType.fromTorchName("torch.bfloat16"));
        assertEquals(DType.F16, DType.fromTorchName("half"));
        for (DType d : DType.values()) {
            assertEquals(d, DType.fromTorchName(d.torchName()));
            assertEquals(d.bytes, d.toDjl().getNumOfBytes());
            assertEquals(d, DType.fromDjl(d.toDjl()));
        }
        assertEquals("bfloat16", DType.BF16.torchName());
        assertEquals(DataType.BFLOAT16, DType.BF16.toDjl());
        assertEquals(DataType.FLOAT16, DType.F16.toDjl());
        assertEquals(DataType.FLOAT32, DType.F32.toDjl());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DType.fromTorchName("float64"));
        assertTrue(e.getMessage().contains("'float64'") && e.getMessage().contains("bfloat16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DType.fromTorchName(null));
        assertThrows(IllegalArgumentException.class, () -> DType.fromTorchName("int8"));
        assertThrows(IllegalArgumentException.class, () -> DType.fromDjl(DataType.INT64));
    }

    @Test
    void filesInEachDtypeReadBackAsRounded(@TempDir Path dir) throws Exception {
        float[] values = probes();
        float[] small = {1f, -2.5f, 1.00390625f, 1.01171875f, 65520f, 0x1p-25f, 3 * 0x1p-25f, Float.NaN, 0.1f, -0f};
        for (DType dt : DType.values()) {
            Path file = dir.resolve(dt + ".safetensors");
            SafeTensors.write(file, List.of(new HostTensor("a", new long[] {values.length}, values),
                    new HostTensor("b", new long[] {2, 5}, small)), Map.of("k", "v"), dt);
            Map<String, SafeTensors.Entry> idx = SafeTensors.index(file);
            assertEquals(List.of("a", "b"), new ArrayList<>(idx.keySet()));
            assertEquals(dt, idx.get("a").dtype());
            assertArrayEquals(new long[] {2, 5}, idx.get("b").shape());
            long header = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(8 + header + (long) dt.bytes * (values.length + small.length), Files.size(file));
            assertTrue(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains("\"__metadata__\":{\"k\":\"v\"}"));
            for (String name : List.of("a", "b")) {
                float[] src = name.equals("a") ? values : small;
                float[] back = SafeTensors.read(idx.get(name));
                ByteBuffer raw = SafeTensors.readRaw(idx.get(name));
                assertEquals(ByteOrder.LITTLE_ENDIAN, raw.order());
                assertEquals(0, raw.position());
                assertEquals((long) dt.bytes * src.length, raw.remaining());
                assertTrue(raw.isDirect());
                for (int i = 0; i < src.length; i++) {
                    float expected = dt.round(src[i]);
                    boolean same = Float.isNaN(src[i]) ? Float.isNaN(back[i])
                            : Float.floatToRawIntBits(expected) == Float.floatToRawIntBits(back[i]);
                    if (!same) {
                        throw new AssertionError(dt + " of " + src[i] + " read back as " + back[i] + ", expected " + expected);
                    }
                    int stored = switch (dt) {
                        case F32 -> raw.getInt(4 * i);
                        case BF16 -> raw.getShort(2 * i) & 0xffff;
                        case F16 -> raw.getShort(2 * i) & 0xffff;
                    };
                    int want = switch (dt) {
                        case F32 -> Float.floatToRawIntBits(src[i]);
                        case BF16 -> bf16(src[i]);
                        case F16 -> f16(src[i]);
                    };
                    if (want != stored) {
                        throw new AssertionError(dt + " of " + src[i] + " stored as 0x" + Integer.toHexString(stored)
                                + ", expected 0x" + Integer.toHexString(want));
                    }
                }
            }
            // the raw bytes make an NDArray of the same dtype directly; widened by torch it equals read()
            // (not bf16: DJL 0.36's PyTorch JNI aborts the JVM on a BFLOAT16 array)
            if (dt == DType.BF16) {
                continue;
            }
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                SafeTensors.Entry b = idx.get("b");
                NDArray x = m.create(SafeTensors.readRaw(b), new Shape(b.shape()), dt.toDjl());
                assertEquals(dt.toDjl(), x.getDataType());
                float[] widened = x.toType(DataType.FLOAT32, false).toFloatArray();
                float[] read = SafeTensors.read(b);
                for (int i = 0; i < read.length; i++) {
                    assertEquals(Float.isNaN(read[i]), Float.isNaN(widened[i]));
                    if (!Float.isNaN(read[i])) {
                        assertEquals(Float.floatToRawIntBits(read[i]), Float.floatToRawIntBits(widened[i]));
                    }
                }
            }
        }
    }

    @Test
    void valuesExactInBf16SurviveEveryDtypeAndF32KeepsAll(@TempDir Path dir) {
        // every non-NaN bf16 value is exact in f32; those within f16's range and precision are exact in f16 too
        float[] bfExact = new float[0x10000];
        for (int b = 0; b < bfExact.length; b++) {
            bfExact[b] = DType.bf16ToFloat((short) b);
        }
        Path bf = dir.resolve("bf.safetensors");
        SafeTensors.write(bf, List.of(new HostTensor("x", new long[] {256, 256}, bfExact)), null, DType.BF16);
        float[] back = SafeTensors.read(SafeTensors.index(bf).get("x"));
        for (int i = 0; i < back.length; i++) {
            if (Float.isNaN(bfExact[i])) {
                assertTrue(Float.isNaN(back[i]));
            } else {
                assertEquals(Float.floatToRawIntBits(bfExact[i]), Float.floatToRawIntBits(back[i]));
            }
        }
        float[] hExact = new float[0x10000];
        for (int h = 0; h < hExact.length; h++) {
            hExact[h] = DType.halfToFloat((short) h);
        }
        Path hf = dir.resolve("h.safetensors");
        SafeTensors.write(hf, List.of(new HostTensor("x", new long[] {hExact.length}, hExact)), null, DType.F16);
        float[] hBack = SafeTensors.read(SafeTensors.index(hf).get("x"));
        for (int i = 0; i < hBack.length; i++) {
            assertEquals(Float.isNaN(hExact[i]), Float.isNaN(hBack[i]));
            if (!Float.isNaN(hExact[i])) {
                assertEquals(Float.floatToRawIntBits(hExact[i]), Float.floatToRawIntBits(hBack[i]));
            }
        }
        // the three-argument write is f32 and keeps every bit, NaN payloads included
        float[] any = new float[4096];
        Random r = new Random(1);
        for (int i = 0; i < any.length; i++) {
            any[i] = Float.intBitsToFloat(r.nextInt());
        }
        Path f32 = dir.resolve("f.safetensors");
        SafeTensors.write(f32, List.of(new HostTensor("x", new long[] {any.length}, any)), Map.of());
        SafeTensors.Entry e = SafeTensors.index(f32).get("x");
        assertEquals(DType.F32, e.dtype());
        float[] fBack = SafeTensors.read(e);
        for (int i = 0; i < any.length; i++) {
            assertEquals(Float.floatToRawIntBits(any[i]), Float.floatToRawIntBits(fBack[i]));
        }
    }

    @Test
    void emptyAndScalarTensorsAndDuplicateNames(@TempDir Path dir) {
        Path file = dir.resolve("e.safetensors");
        SafeTensors.write(file, List.of(new HostTensor("empty", new long[] {0, 3}, new float[0]),
                new HostTensor("scalar", new long[] {}, new float[] {1.5f})), null, DType.BF16);
        Map<String, HostTensor> back = SafeTensors.load(file);
        assertEquals(0, back.get("empty").data().length);
        assertArrayEquals(new float[] {1.5f}, back.get("scalar").data());
        assertEquals(0, SafeTensors.readRaw(SafeTensors.index(file).get("empty")).remaining());
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(dir.resolve("d.safetensors"),
                List.of(new HostTensor("x", new long[] {1}, new float[1]), new HostTensor("x", new long[] {1}, new float[1])),
                null, DType.F16));
    }
}
