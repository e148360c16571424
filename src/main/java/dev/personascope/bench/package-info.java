/**
 * Benchmarks of the forward pass, training and SAE training against the measured matmul peak. Uses generate,
 * train, optim, sae and model.
 */
package dev.personascope.bench;
