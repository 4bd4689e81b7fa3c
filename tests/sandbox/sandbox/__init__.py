"""The sandbox Django project shared by every test suite; later issues grow its apps."""
