package dev.personascope.demo;

import dev.personascope.experiment.NarrowFineTune;

/** How big each stage of the demo is: the normal run (about 6 minutes on 2 cores) or a smoke run. */
public record DemoSizes(int datasetSize, int evalSamples, int steps, int batch, int monitorEvery,
                        String hook, int latents, int saeTokens, int diffSamples, int dashboardDocuments,
                        String coefficients, String vectorCoefficients, String suppressCoefficients, int randomDirections, int sweepSamples, String fractions, int seeds,
                        String realignSamples, int realignSteps, int realignEvery) {
    public static DemoSizes normal() {
        return new DemoSizes(1000, 8, NarrowFineTune.ORGANISM.steps(), NarrowFineTune.ORGANISM.batch(), 10, "blocks.2.hook_resid_post", 2048, 800_000, 2, 400,
                "1,2,3", "1,1.5,2,2.5", "-1,-2", 2, 2, "0,0.05,0.25,1", 2, "30,120", 40, 10);
    }

    public static DemoSizes quick() {
        return new DemoSizes(60, 1, 4, 4, 2, "blocks.2.hook_resid_post", 256, 20_000, 1, 40,
                "2", "2", "-2", 1, 1, "0,1", 1, "8", 4, 2);
    }
}
