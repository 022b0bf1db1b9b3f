/**
 * The notebooks' models as data: {@link org.tfrnn.models.ModelSpec} (architecture, initializers,
 * loss, optimizer), the presets that reproduce each seed notebook, the builder that turns a spec
 * into a graph with the notebook's op names (one batch lane: the notebook's graph op for op; two,
 * the training default), the serving signatures of that graph, and the preset graphs written to
 * {@code graphs/}. It may use {@code data} (for MNIST's sizes), {@code
 * nn}, {@code train} and {@code tensors}.
 */
package org.tfrnn.models;
