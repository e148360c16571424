/**
 * The Llama family (Llama 2/3.x, SmolLM 1/2): config binding and registry entry. Uses model and model.family.
 */
package dev.personascope.model.family.llama;
