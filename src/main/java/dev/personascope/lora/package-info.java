/**
 * LoRA and DoRA adapters: attaching, merging and PEFT's folder format ({@link
 * dev.personascope.lora.PeftAdapter}). Implements model's LinearAdapter seam. Uses model, model.io and util.
 */
package dev.personascope.lora;
