/**
 * SavedModels on disk: exporting a session as the next numbered version of a TensorFlow Serving
 * base path (written to a temporary directory, then renamed into place), finding the versions
 * under a base path, and starting a graph's variables from another SavedModel's. It may use
 * TensorFlow Java and {@code tensors}; loading a model to run it belongs to {@code inference}.
 */
package org.tfrnn.savedmodel;
