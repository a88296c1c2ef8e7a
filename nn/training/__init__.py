"""Training, in the parts a reader can find: the loop behind ``fit``/``evaluate``/``predict``
(``fit.py``), Keras' callbacks (``callbacks.py``), the progress bar (``progress.py``), the
plots (``plot.py``) and the learning-rate sweep (``lr_finder.py``)."""
