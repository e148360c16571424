/**
 * Sparse autoencoders: SAELens folders, TopK/BatchTopK/standard/JumpReLU architectures, training, activation
 * harvesting and metrics. Uses optim, data, model and util.
 */
package dev.personascope.sae;
