package dev.personascope.train;

import dev.personascope.model.LanguageModel;

/** Where a run stands, as callbacks see it. */
public record TrainingProgress(int step, int totalSteps, int epoch, double loss, double lr, LanguageModel model) {
}
