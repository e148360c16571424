package dev.personascope.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.personascope.model.LanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ReLU + L1 and BatchTopK (saved as JumpReLU) train on a sparse dictionary and round-trip as SAELens folders. */
class ArchitecturesTest {
    static SaeConfig config(String arch) {
        SaeConfig c = new SaeConfig();
        c.dIn = 64;
        c.dSae = 256;
        c.k = 4;
        c.architecture = arch;
        return c;
    }

    /** FVU and mean L0 of an SAE on fresh samples. */
    static double[] quality(Sae sae, SyntheticDictionary data, NDManager m) {
        float[] x = data.next(4096);
        try (NDManager s = m.newSubManager()) {
            NDArray xs = s.create(x, new Shape(4096, 64));
            NDArray z = sae.encode(xs);
            double err = xs.sub(sae.decode(z)).square().sum().getFloat();
            double var = xs.sub(xs.mean(new int[] {0})).square().sum().getFloat();
            double l0 = z.gt(0).sum().toType(ai.djl.ndarray.types.DataType.FLOAT32, false).getFloat() / 4096.0;
            return new double[] {err / var, l0};
        }
    }

    static SaeTrainer.Settings settings() {
        SaeTrainer.Settings s = new SaeTrainer.Settings();
        s.tokens = 400_000;
        s.batch = 512;
        s.lr = 2e-3;
        s.deadAfterTokens = 50_000;
        return s;
    }

    static double[] trainStandard(double l1) {
        SyntheticDictionary data = new SyntheticDictionary(128, 64, 4, 2);
        SaeConfig c = config("standard");
        c.extra.put("l1_coefficient", l1);
        try (NDManager root = LanguageModel.newManager(); Sae sae = SaeRegistry.create(c, root)) {
            SaeTrainer t = new SaeTrainer(sae, settings());
            t.initialise(data.next(4096));
            t.train(data, false);
            return quality(sae, data, root);
        }
    }

    @Test
    void standardReluSaeTradesReconstructionForSparsityThroughL1() {
        double[] weak = trainStandard(0.05);
        double[] strong = trainStandard(0.5);
        System.out.printf("standard SAE: L1 0.05 -> FVU %.3f, L0 %.1f; L1 0.5 -> FVU %.3f, L0 %.1f%n",
                weak[0], weak[1], strong[0], strong[1]);
        assertTrue(weak[0] < 0.1, "a weak penalty reconstructs well: FVU " + weak[0]);
        assertTrue(strong[1] < weak[1] / 2, "a stronger penalty gives sparser codes: L0 " + strong[1] + " vs " + weak[1]);
        assertTrue(strong[0] > weak[0], "and pays in reconstruction");
    }

    @Test
    void batchTopKTrainsAndIsSavedAsJumpRelu(@TempDir Path dir) {
        SyntheticDictionary data = new SyntheticDictionary(128, 64, 4, 3);
        try (NDManager root = LanguageModel.newManager(); BatchTopKSae sae = (BatchTopKSae) SaeRegistry.create(config("batchtopk"), root)) {
            SaeTrainer t = new SaeTrainer(sae, settings());
            t.initialise(data.next(4096));
            t.train(data, false);
            assertTrue(sae.threshold() > 0);
            Sae jump = sae.forSaving();
            assertEquals("jumprelu", jump.config().architecture);
            double[] q = quality(jump, data, root);
            assertTrue(q[0] < 0.2, "FVU " + q[0]);
            assertTrue(q[1] > 1 && q[1] < 12, "about k = 4 active on average: " + q[1]);
            SaeFolder.write(jump, dir);
            try (Sae back = SaeFolder.read(dir, root)) {
                assertTrue(back instanceof JumpReluSae);
                double[] q2 = quality(back, new SyntheticDictionary(128, 64, 4, 3), root);
                double[] q1 = quality(jump, new SyntheticDictionary(128, 64, 4, 3), root);
                assertEquals(q1[0], q2[0], 1e-9);
            }
        }
    }
}
