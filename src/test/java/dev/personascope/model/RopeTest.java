package dev.personascope.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.personascope.model.io.TensorFormatException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RopeTest {
    static ModelConfig llama31() throws Exception {
        ModelConfig c = new ModelConfig();
        c.headDim = 128;
        c.ropeTheta = 500000.0;
        c.ropeScaling = new ObjectMapper().readTree("{\"factor\": 8.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                + " \"original_max_position_embeddings\": 8192, \"rope_type\": \"llama3\"}");
        return c;
    }

    @Test
    void plainFrequenciesFollowTheta() {
        ModelConfig c = new ModelConfig();
        c.headDim = 8;
        c.ropeTheta = 10000.0;
        double[] inv = Rope.inverseFrequencies(c);
        assertEquals(1.0, inv[0], 1e-7);
        assertEquals(0.1, inv[1], 1e-7);
        assertEquals(0.01, inv[2], 1e-7);
        assertEquals(0.001, inv[3], 1e-7);
    }

    @Test
    void llama3ScalingKeepsHighFrequenciesDividesLowOnesAndBlendsBetween() throws Exception {
        ModelConfig c = llama31();
        double[] scaled = Rope.inverseFrequencies(c);
        c.ropeScaling = null;
        double[] plain = Rope.inverseFrequencies(c);
        int kept = 0;
        int divided = 0;
        int blended = 0;
        for (int i = 0; i < plain.length; i++) {
            double wavelen = 2 * Math.PI / plain[i];
            if (wavelen < 8192 / 4.0) {
                assertEquals(plain[i], scaled[i], 0.0);
                kept++;
            } else if (wavelen > 8192) {
                assertEquals(plain[i] / 8, scaled[i], 1e-15);
                divided++;
            } else {
                assertTrue(scaled[i] < plain[i] && scaled[i] > plain[i] / 8, "blend at " + i);
                // smooth = (8192 / wavelen - 1) / 3; inv = (1 - smooth) inv / 8 + smooth inv
                double smooth = (8192 / wavelen - 1) / 3;
                assertEquals((1 - smooth) * plain[i] / 8 + smooth * plain[i], scaled[i], 1e-15);
                blended++;
            }
        }
        assertTrue(kept > 0 && divided > 0 && blended > 0, kept + " " + divided + " " + blended);
    }

    @Test
    void linearScalingDividesEveryFrequency() throws Exception {
        ModelConfig c = new ModelConfig();
        c.headDim = 16;
        c.ropeTheta = 10000.0;
        double[] plain = Rope.inverseFrequencies(c);
        c.ropeScaling = new ObjectMapper().readTree("{\"type\": \"linear\", \"factor\": 4.0}");
        double[] scaled = Rope.inverseFrequencies(c);
        for (int i = 0; i < plain.length; i++) {
            assertEquals(plain[i] / 4, scaled[i], 1e-15);
        }
    }

    @Test
    void unknownScalingIsAnError() throws Exception {
        ModelConfig c = new ModelConfig();
        c.headDim = 16;
        c.ropeScaling = new ObjectMapper().readTree("{\"rope_type\": \"yarn\", \"factor\": 4.0}");
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Rope.inverseFrequencies(c));
        assertTrue(e.getMessage().contains("'yarn'"));
    }
}
