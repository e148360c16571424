/**
 * TransformerLens-named hook points of the forward pass and the hooks that read or change activations there
 * (capture, add, project out, replace). Uses nothing of the project but DJL.
 */
package dev.personascope.model.hooks;
