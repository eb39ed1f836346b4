"""Publishes the learning repo into the site; the code is learnloop.publish.gen_pages."""

from learnloop.publish.gen_pages import main

main()
