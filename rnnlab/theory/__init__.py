"""Mean-field theory of trained reservoirs: open-loop training, output poles, feedback-loop view."""
