from django.urls import path

from benchmarks.request_overhead.views_qualified import first_notes_of_host

urlpatterns = [path("", first_notes_of_host)]
