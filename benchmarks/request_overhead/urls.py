from django.urls import path

from benchmarks.request_overhead.views import first_notes

urlpatterns = [path("", first_notes)]
