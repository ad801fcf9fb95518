"""Models that leave scratchnn, and models that come in.

- ``onnx``: ``to_onnx(model, path)``, an ONNX graph of ``Gemm`` and activation operators, read
  by onnxruntime and every ONNX runtime (``pip install 'scratchnn[onnx]'``);
- ``onnx_estimator``: a fitted estimator's graph, float32 input and class labels out
  (``est.to_onnx()``), and its converters for skl2onnx (``register_onnx_converters()``);
- ``savedmodel``: ``export_savedmodel(tf_model, path)``, a TensorFlow SavedModel with a
  serving signature (``tf.saved_model.load``, TensorFlow Serving);
- ``sklearn``: ``from_sklearn(estimator)`` and ``to_sklearn(model)``, the weights of
  scikit-learn's ``MLPClassifier`` and ``MLPRegressor``;
- ``keras``: ``from_keras(model)`` and ``to_keras(model)``, a Keras ``Sequential`` of
  ``Dense`` layers.

The models offer the same as methods: ``model.to_onnx(path)``, ``tf_model.export(path)``,
``Perceptron.from_sklearn(estimator)``, ``model.to_sklearn()``, ``Perceptron.from_keras(...)``,
``model.to_keras()``.  Importing this package imports none of those libraries.
"""
