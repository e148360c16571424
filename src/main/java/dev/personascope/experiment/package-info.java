/**
 * Experiments that combine fine-tuning, evaluation and monitoring: contamination sweeps, re-alignment and
 * grids of fine-tuning settings (run as pieces). Uses train, eval, monitor, persona, lora, data, model, report, work and
 * util.
 */
package dev.personascope.experiment;
