from django.urls import path

from knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.index, name="index"),
    path("sok/", views.search_view, name="search"),
    path("forslag/", views.suggest_forms, name="suggest"),
    path("ny/", views.article_create, name="create"),
    path("forhandsgranska/", views.preview, name="preview"),
    # The article about the five forms, with the question guide; other pages link here by name.
    path("former/", views.forms_of_influence, name="forms"),
    path("<slug:slug>/", views.article_detail, name="article"),
    path("<slug:slug>/redigera/", views.article_edit, name="edit"),
    path("<slug:slug>/historik/", views.article_history, name="history"),
]
