package dev.personascope.sae;

import dev.personascope.model.LanguageModel;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class TopKSaeTest {
    @Test
    void recoversAKnownSparseDictionary() {
        SyntheticDictionary data = new SyntheticDictionary(512, 64, 4, 1);
        SaeConfig c = new SaeConfig();
        c.dIn = 64;
        c.dSae = 1024;
        c.k = 4;
        try (NDManager root = LanguageModel.newManager(); TopKSae sae = new TopKSae(c, root)) {
            SaeTrainer.Settings s = new SaeTrainer.Settings();
            s.tokens = 2_000_000;
            s.batch = 1024;
            s.lr = 2e-3;
            s.deadAfterTokens = 50_000;
            SaeTrainer t = new SaeTrainer(sae, s);
            t.initialise(data.next(4096));
            SaeTrainer.Result r = t.train(data, false);
            float[] dec = sae.wDec().toFloatArray();
            int recovered = 0;
            for (float[] atom : data.atoms()) {
                double best = -1;
                for (int j = 0; j < c.dSae; j++) {
                    double dot = 0;
                    for (int d = 0; d < c.dIn; d++) {
                        dot += atom[d] * dec[j * c.dIn + d];
                    }
                    best = Math.max(best, dot);
                }
                recovered += best >= 0.9 ? 1 : 0;
            }
            double frac = recovered / 512.0;
            System.out.printf("synthetic dictionary: %.1f%% of 512 atoms recovered at cosine >= 0.9; FVU %.4f; dead %.3f%n",
                    100 * frac, r.fvu(), r.deadFraction());
            assertTrue(frac >= 0.9, "recovered " + recovered + " of 512; fvu " + r.fvu() + " dead " + r.deadFraction());
        }
    }
}
