from django.contrib.auth import views as auth_views
from django.urls import include, path

from huikuan.customers.views import CustomerDetailView, CustomerListView
from huikuan.org.views import ProjectDetailView, ProjectListView
from huikuan.receivables.views import ReceiptListView
from huikuan.reports.views import DashboardView
from huikuan.sales.views import ContractDetailView, ContractExportView, ContractListView

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("projects/", ProjectListView.as_view(), name="project-list"),
    path("projects/<int:pk>/", ProjectDetailView.as_view(), name="project-detail"),
    path("contracts/", ContractListView.as_view(), name="contract-list"),
    path("contracts/export.xlsx", ContractExportView.as_view(), name="contract-export"),
    path("contracts/<int:pk>/", ContractDetailView.as_view(), name="contract-detail"),
    path("customers/", CustomerListView.as_view(), name="customer-list"),
    path("customers/<int:pk>/", CustomerDetailView.as_view(), name="customer-detail"),
    path("receipts/", ReceiptListView.as_view(), name="receipt-list"),
    path("notifications/", include("huikuan.notifications.web_urls")),
    path("mortgages/", include("huikuan.mortgages.web_urls")),
    path("banking/", include("huikuan.banking.web_urls")),
    path("dunning/", include("huikuan.dunning.web_urls")),
    path("reports/", include("huikuan.reports.web_urls")),
]
