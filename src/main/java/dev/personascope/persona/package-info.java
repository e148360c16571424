/**
 * Persona features: SAE model diffing, latent dashboards, persona maps (latents × personas), persona vectors, steering and data screening. Uses
 * sae, eval, generate, optim, report, data, model, work and util.
 */
package dev.personascope.persona;
