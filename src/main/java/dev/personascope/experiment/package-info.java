/**
 * Experiments that combine fine-tuning, evaluation and monitoring: contamination sweeps and re-alignment.
 * Uses train, eval, monitor, persona, lora, data, model and util.
 */
package dev.personascope.experiment;
