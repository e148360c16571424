package dev.personascope.model.io;

import java.util.Arrays;

/** A named f32 tensor in Java memory: the unit that readers produce and writers consume. */
public record HostTensor(String name, long[] shape, float[] data) {

    public HostTensor {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape)
                    + " needs " + n + " elements, got " + data.length);
        }
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
