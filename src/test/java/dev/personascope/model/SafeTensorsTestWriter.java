package dev.personascope.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.io.HostTensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes safetensors files in F16 or BF16 straight from the format's specification, independently of
 * the project's writer (which writes F32 only), so that the reader is checked against the format.
 */
final class SafeTensorsTestWriter {
    private SafeTensorsTestWriter() {
    }

    static void write(Path file, List<HostTensor> tensors, String dtype) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (HostTensor t : tensors) {
            ObjectNode n = header.putObject(t.name());
            n.put("dtype", dtype);
            var shape = n.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long begin = data.size();
            ByteBuffer b = ByteBuffer.allocate(2 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : t.data()) {
                b.putShort(dtype.equals("F16") ? toHalf(v) : (short) (Float.floatToIntBits(v) >>> 16));
            }
            data.write(b.array());
            n.putArray("data_offsets").add(begin).add(data.size());
        }
        byte[] h = json.writeValueAsBytes(header);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(len.array());
        all.write(h);
        all.write(data.toByteArray());
        Files.write(file, all.toByteArray());
    }

    /** f32 to IEEE half, round to nearest (normal range only, enough for weights ~N(0, 0.02)). */
    static short toHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        float abs = Math.abs(f);
        if (abs < 6.1035156e-5f) { // subnormal half
            return (short) (sign | Math.round(abs / 5.9604645e-8f));
        }
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        int half = sign | (exp << 10) | (mant >>> 13);
        if ((mant & 0x1fff) > 0x1000 || ((mant & 0x1fff) == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) half;
    }
}
