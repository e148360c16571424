/**
 * Building blocks of gradient training shared by fine-tuning, SAE training and the monitor: the AdamW optimizer,
 * the masked next-token loss over encoded chats, and switching autograd recording off. Uses data, model and util.
 */
package dev.personascope.optim;
