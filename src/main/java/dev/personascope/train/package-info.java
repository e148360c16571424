/**
 * Supervised fine-tuning (LoRA or full) on chat data: the trainer, its checkpoints, schedules and logs. Uses
 * optim, lora, data, model and util.
 */
package dev.personascope.train;
