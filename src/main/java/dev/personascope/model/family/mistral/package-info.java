/**
 * The Mistral family: Llama's layout with a sliding attention window. Uses model and model.family.
 */
package dev.personascope.model.family.mistral;
