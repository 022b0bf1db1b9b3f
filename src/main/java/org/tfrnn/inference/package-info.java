/**
 * In-process prediction with SavedModels, with no network and no wire format: {@link
 * org.tfrnn.inference.Predictor} loads one model and runs its signatures on plain Java values
 * (checked against the {@link org.tfrnn.inference.SignatureSpec signature} in Java before any
 * native call), {@link org.tfrnn.inference.VersionedModel} serves the highest numbered version
 * under a TensorFlow Serving base path and swaps in new ones without failing a call in flight, and
 * {@link org.tfrnn.inference.PredictionException} says why a call failed with a reason every front
 * end maps to its own status. It owns every native model it loads and closes it on every path. It
 * may use {@code savedmodel} (version directories) and {@code tensors}; the network front ends in
 * {@code serve} and the command line build on it, never the other way round.
 */
package org.tfrnn.inference;
