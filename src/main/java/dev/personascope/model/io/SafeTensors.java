package dev.personascope.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to {dtype, shape, data_offsets}, then the raw little-endian data.
 * Also reads sharded checkpoints through {@code model.safetensors.index.json}.
 */
public final class SafeTensors {
    private static final ObjectReader READER = Json.MAPPER.reader()
            .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Where one tensor lies on disk; its data is read only when asked for. */
    public record Entry(Path file, String name, DType dtype, long[] shape, long begin, long end) {
        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private SafeTensors() {
    }

    /** Lists the tensors of one {@code .safetensors} file. */
    public static Map<String, Entry> index(Path file) {
        Map<String, Entry> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new TensorFormatException(file + ": too short for a safetensors file (" + size + " bytes)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > size - 8 || headerLen > 100_000_000L) {
                throw new TensorFormatException(file + ": bad safetensors header length " + headerLen);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            ch.read(header, 8);
            JsonNode root;
            try {
                root = READER.readTree(new String(header.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new TensorFormatException(file + ": safetensors header is not valid JSON: " + dev.personascope.util.JsonErrors.brief(e));
            }
            if (root == null || !root.isObject()) {
                throw new TensorFormatException(file + ": safetensors header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (f.getKey().equals("__metadata__")) {
                    continue;
                }
                String where = file + ": tensor '" + f.getKey() + "'";
                JsonNode t = f.getValue();
                if (!t.isObject() || !t.has("dtype") || !t.has("shape") || !t.has("data_offsets")) {
                    throw new TensorFormatException(where + " lacks dtype, shape or data_offsets");
                }
                DType dtype = DType.parse(t.get("dtype").asText(), where);
                JsonNode shapeNode = t.get("shape");
                JsonNode offsets = t.get("data_offsets");
                if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                    throw new TensorFormatException(where + ": shape must be a list and data_offsets a list of two byte offsets");
                }
                long[] shape = new long[shapeNode.size()];
                long elements = 1;
                for (int i = 0; i < shape.length; i++) {
                    JsonNode d = shapeNode.get(i);
                    if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                        throw new TensorFormatException(where + ": shape entry " + d + " is not a non-negative integer");
                    }
                    shape[i] = d.asLong();
                    elements = multiply(elements, shape[i], where);
                }
                for (JsonNode o : offsets) {
                    if (!o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0) {
                        throw new TensorFormatException(where + ": data_offsets entry " + o + " is not a non-negative integer");
                    }
                }
                long begin = dataStart + offsets.get(0).asLong();
                long end = dataStart + offsets.get(1).asLong();
                Entry e = new Entry(file, f.getKey(), dtype, shape, begin, end);
                if (begin > end || end > size || end - begin != multiply(elements, dtype.bytes, where)) {
                    throw new TensorFormatException(where + ": data_offsets [" + offsets.get(0) + ", " + offsets.get(1)
                            + "] do not match its shape and dtype or run past the end of the file");
                }
                out.put(f.getKey(), e);
            }
            checkCoverage(file, out, dataStart, size);
        } catch (IOException e) {
            throw new TensorFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    private static long multiply(long a, long b, String where) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new TensorFormatException(where + ": shape is too large");
        }
    }

    /**
     * The spec's rule: tensors tile the data region exactly, in any order; no overlaps, holes or trailing
     * bytes (each would mean a tensor read from the wrong place).
     */
    private static void checkCoverage(Path file, Map<String, Entry> entries, long dataStart, long size) {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(java.util.Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = dataStart;
        for (Entry e : sorted) {
            if (e.begin() < at) {
                throw new TensorFormatException(file + ": tensor '" + e.name() + "' overlaps the tensor before it");
            }
            if (e.begin() > at) {
                throw new TensorFormatException(file + ": " + (e.begin() - at) + " bytes before tensor '" + e.name()
                        + "' belong to no tensor");
            }
            at = e.end();
        }
        if (at != size) {
            throw new TensorFormatException(file + ": " + (size - at) + " bytes after the last tensor belong to no tensor");
        }
    }

    /**
     * Lists the tensors of a model folder: {@code model.safetensors}, or the shards named by
     * {@code model.safetensors.index.json}.
     */
    public static Map<String, Entry> indexFolder(Path dir) {
        Path single = dir.resolve("model.safetensors");
        Path indexFile = dir.resolve("model.safetensors.index.json");
        if (Files.exists(indexFile)) {
            JsonNode idx;
            try {
                idx = READER.readTree(Files.readAllBytes(indexFile));
            } catch (IOException e) {
                throw new TensorFormatException(indexFile + ": not valid JSON: " + dev.personascope.util.JsonErrors.brief(e));
            }
            JsonNode map = idx.get("weight_map");
            if (map == null || !map.isObject()) {
                throw new TensorFormatException(indexFile + ": missing field 'weight_map'");
            }
            Map<String, Map<String, Entry>> shards = new TreeMap<>();
            Map<String, Entry> out = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = map.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                String shard = f.getValue().asText();
                Path shardPath = dir.resolve(shard).normalize();
                if (!shardPath.startsWith(dir.normalize()) || shardPath.equals(dir.normalize())) {
                    throw new TensorFormatException(indexFile + ": tensor '" + f.getKey() + "' is in shard '" + shard
                            + "', outside the model folder");
                }
                if (!Files.exists(shardPath)) {
                    throw new TensorFormatException(indexFile + ": tensor '" + f.getKey() + "' is in shard '"
                            + shard + "', which does not exist");
                }
                Map<String, Entry> entries = shards.computeIfAbsent(shard, s -> index(shardPath));
                Entry e = entries.get(f.getKey());
                if (e == null) {
                    throw new TensorFormatException(shardPath + ": missing tensor '" + f.getKey()
                            + "' listed in " + indexFile.getFileName());
                }
                out.put(f.getKey(), e);
            }
            return out;
        }
        if (Files.exists(single)) {
            return index(single);
        }
        throw new TensorFormatException(dir + ": no model.safetensors or model.safetensors.index.json");
    }

    /** Reads one tensor's data, converted to f32. */
    public static float[] read(Entry e) {
        long count = e.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new TensorFormatException(e.file() + ": tensor '" + e.name() + "' too large for one array");
        }
        try (FileChannel ch = FileChannel.open(e.file(), StandardOpenOption.READ)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, e.begin(), e.end() - e.begin());
            return e.dtype().toFloats(map, (int) count);
        } catch (IOException ex) {
            throw new TensorFormatException(e.file() + ": cannot read tensor '" + e.name() + "': " + ex.getMessage(), ex);
        }
    }

    /**
     * One tensor's bytes as stored (its dtype, little-endian), in a new direct buffer of its own (position 0,
     * limit its size, writable), e.g. to create a bf16 or f16 NDArray without widening to f32.
     */
    public static ByteBuffer readRaw(Entry e) {
        long size = e.end() - e.begin();
        if (size > Integer.MAX_VALUE - 8) {
            throw new TensorFormatException(e.file() + ": tensor '" + e.name() + "' too large for one buffer ("
                    + size + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.allocateDirect((int) size).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(e.file(), StandardOpenOption.READ)) {
            long pos = e.begin();
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new TensorFormatException(e.file() + ": tensor '" + e.name() + "' runs past the end of the file");
                }
                pos += n;
            }
        } catch (IOException ex) {
            throw new TensorFormatException(e.file() + ": cannot read tensor '" + e.name() + "': " + ex.getMessage(), ex);
        }
        return buf.flip();
    }

    public static HostTensor readTensor(Entry e) {
        return new HostTensor(e.name(), e.shape(), read(e));
    }

    /** Reads a whole file into memory. */
    public static Map<String, HostTensor> load(Path file) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Entry e : index(file).values()) {
            out.put(e.name(), readTensor(e));
        }
        return out;
    }

    /** Writes tensors as f32, atomically (temp file, then rename). */
    public static void write(Path file, Collection<HostTensor> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, DType.F32);
    }

    /**
     * Writes tensors atomically (temp file, then rename), every one stored as {@code dtype}: F32 as is, BF16
     * and F16 rounded to nearest with ties to even, as torch's {@code .to(dtype)} rounds.
     */
    public static void write(Path file, Collection<HostTensor> tensors, Map<String, String> metadata, DType dtype) {
        if (dtype == null) {
            throw new IllegalArgumentException("dtype is null");
        }
        ObjectNode header = Json.MAPPER.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        List<HostTensor> ordered = new ArrayList<>(tensors);
        for (HostTensor t : ordered) {
            if (t.name().equals("__metadata__") || header.has(t.name())) {
                throw new IllegalArgumentException("cannot write tensor name '" + t.name() + "' twice or as __metadata__");
            }
            ObjectNode n = header.putObject(t.name());
            n.put("dtype", dtype.name());
            var shape = n.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            var offs = n.putArray("data_offsets");
            offs.add(offset);
            offset += (long) dtype.bytes * t.data().length;
            offs.add(offset);
        }
        byte[] headerBytes;
        try {
            headerBytes = Json.MAPPER.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new TensorFormatException("cannot encode safetensors header: " + e.getMessage(), e);
        }
        int padded = (headerBytes.length + 7) / 8 * 8; // spec: header may be padded with spaces
        byte[] headerPadded = new byte[padded];
        System.arraycopy(headerBytes, 0, headerPadded, 0, headerBytes.length);
        for (int i = headerBytes.length; i < padded; i++) {
            headerPadded[i] = ' ';
        }
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerPadded);
            for (HostTensor t : ordered) {
                writeData(out, t.data(), dtype);
            }
        });
    }

    private static void writeData(OutputStream out, float[] data, DType dtype) throws IOException {
        int chunk = 1 << 14; // elements per buffer
        ByteBuffer buf = ByteBuffer.allocate(chunk * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; i += chunk) {
            int n = Math.min(chunk, data.length - i);
            buf.clear();
            dtype.put(buf, data, i, n);
            out.write(buf.array(), 0, buf.position());
        }
    }
}
