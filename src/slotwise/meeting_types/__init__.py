"""Meeting types: the bookable templates of a host."""
