// Composition root: written in the host step of issue 2.
return 0;
