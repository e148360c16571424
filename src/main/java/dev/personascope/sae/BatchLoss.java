package dev.personascope.sae;

import ai.djl.ndarray.NDArray;

/**
 * One batch's training loss, recorded on the gradient tape: {@code loss} to backpropagate, the reconstruction
 * {@code mse} (‖x − x̂‖² summed over dimensions, averaged over tokens) and, per latent, the tokens it fired on.
 */
record BatchLoss(NDArray loss, NDArray mse, long[] fired) {
}
